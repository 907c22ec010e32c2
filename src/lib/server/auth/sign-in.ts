import { eq } from 'drizzle-orm';
import { db } from '../db';
import { user } from '../db/schema';
import { recordAudit, recordFailedSignIn } from '../audit';
import { verifyCredentials } from './accounts';
import { NO_MATCH, normaliseEmail } from './forms';
import { startSession, type CookieEvent } from '.';
import {
	checkPasswordWithinLimits,
	describeSignInPause,
	getLoginKeys,
	getSecondFactorKeys,
	type PasswordCheckOptions
} from './login-limits';
import { finishPendingSignIn, readPendingSignIn, startPendingSignIn, type PendingVia } from './pending-sign-in';
import {
	acceptRecoveryCode,
	acceptTotpCode,
	enableSecondFactor,
	hasSecondFactor,
	matchTotpCode,
	requiresSecondFactor
} from './second-factor';

export type SignInEvent = CookieEvent & { getClientAddress(): string };

/**
 * What a sign-in came to. `second-factor`: the password was right, no session exists yet, and the browser
 * holds a pending sign-in (pending-sign-in.ts) for the step named: a code, or enrolling first.
 */
export type SignInResult =
	| { kind: 'signed-in'; userId: string }
	| { kind: 'second-factor'; step: 'code' | 'enrol' }
	| { kind: 'refused'; status: 400 | 429; message: string };

/**
 * The one way into an account, for every page that signs someone in: the sign-in limits, the password,
 * the audit, then the second factor or a new session (cookie set on `event`). A wrong password and an
 * unknown email are answered alike; the refusal's message is meant for the person. `next`: a same-site path
 * to go to after a second-factor step.
 */
export async function signIn(
	event: SignInEvent,
	credentials: { email: string; password: string; via: 'login' | 'invitation'; next?: string },
	options: PasswordCheckOptions = {}
): Promise<SignInResult> {
	const keys = getLoginKeys(normaliseEmail(credentials.email), event.getClientAddress());
	// Set by the check below; typed wide so the narrowing of `null` does not outlive the callback.
	let userId = null as string | null;
	const check = await checkPasswordWithinLimits(
		keys,
		async () => {
			userId = await verifyCredentials(credentials.email, credentials.password);
			return userId !== null;
		},
		options
	);
	if (check !== 'accepted' || userId === null) {
		const refused = check === 'refused';
		await recordFailedSignIn({ accountKey: keys.account, via: credentials.via, refused });
		return refused
			? { kind: 'refused', status: 429, message: describeSignInPause() }
			: { kind: 'refused', status: 400, message: NO_MATCH };
	}
	return completeSignIn(event, userId, { via: credentials.via, next: credentials.next ?? '/' });
}

/**
 * After the password (or, for the first admin, after setup): the single place the second factor comes in,
 * before any session exists. An account with a second factor is asked for a code; an admin or staff account
 * without one enrols first; anyone else is signed in.
 */
export async function completeSignIn(
	event: SignInEvent,
	userId: string,
	after: { via: Exclude<PendingVia, 'account'>; next: string }
): Promise<SignInResult> {
	const [account] = await db.select({ role: user.role }).from(user).where(eq(user.id, userId));
	const step = (await hasSecondFactor(userId)) ? 'code' : requiresSecondFactor(account.role) ? 'enrol' : null;
	if (step) {
		await startPendingSignIn(event, { userId, step, ...after });
		return { kind: 'second-factor', step };
	}
	await finishSignIn(event, userId, null);
	return { kind: 'signed-in', userId };
}

async function finishSignIn(event: SignInEvent, userId: string, secondFactor: SecondFactorMethod | null) {
	await startSession(event, userId);
	await recordAudit({
		action: 'auth.sign_in',
		actorId: userId,
		objectType: 'user',
		objectId: userId,
		detail: secondFactor ? { second_factor: secondFactor } : undefined
	});
}

/** Starts an enrolment for someone already signed in (a member turning the second factor on at /account). */
export async function startEnrolment(event: SignInEvent, userId: string): Promise<void> {
	await startPendingSignIn(event, { userId, step: 'enrol', via: 'account', next: '/account' });
}

/** What a second-factor step came to. `expired`: there is no pending sign-in (any more): sign in again. */
export type SecondFactorResult =
	| { kind: 'signed-in'; next: string }
	| { kind: 'enrolled'; next: string; recoveryCodes: string[]; signedIn: boolean }
	| { kind: 'expired' }
	| Refusal;

const WRONG_CODE =
	'That code did not work. Codes change every 30 seconds and each works once: please enter the one your app shows now.';
const WRONG_RECOVERY_CODE = 'That recovery code did not work, or it has been used already. Each one works once.';

/**
 * Finishes a pending sign-in with a code from the person's app or one of their recovery codes, under the
 * sign-in limits (counted per account and address like passwords, but apart from them), and starts the
 * session. Failures are audited as `auth.second_factor_failed`.
 */
export async function signInWithSecondFactor(
	event: SignInEvent,
	input: { code: string; method: SecondFactorMethod },
	options: PasswordCheckOptions = {}
): Promise<SecondFactorResult> {
	const pending = await readPendingSignIn(event);
	if (!pending || pending.step !== 'code') return { kind: 'expired' };
	const userId = pending.userId;
	const refusal = await checkSecondFactor(userId, event.getClientAddress(), input, pending.via, options);
	if (refusal) return refusal;
	if (!(await finishPendingSignIn(event, pending))) return { kind: 'expired' };
	await finishSignIn(event, userId, input.method);
	return { kind: 'signed-in', next: pending.next };
}

export type SecondFactorMethod = 'code' | 'recovery_code';
type Refusal = { kind: 'refused'; status: 400 | 429; message: string };

/**
 * Checks a code from the account's app (used up when right) or one of its recovery codes (used up when
 * right) under the sign-in limits, keyed apart from passwords (getSecondFactorKeys). Null when accepted;
 * otherwise the refusal for the person, and `auth.second_factor_failed` in the audit log.
 */
export async function checkSecondFactor(
	userId: string,
	address: string,
	input: { code: string; method: SecondFactorMethod },
	via: PendingVia,
	options: PasswordCheckOptions = {}
): Promise<Refusal | null> {
	const check = await checkPasswordWithinLimits(
		getSecondFactorKeys(userId, address),
		() => (input.method === 'code' ? acceptTotpCode(userId, input.code) : acceptRecoveryCode(userId, input.code)),
		options
	);
	return check === 'accepted' ? null : refuseCode(userId, via, input.method, check === 'refused');
}

/**
 * Confirms an enrolment with the first code from the new secret, turns the second factor on and returns the
 * recovery codes to show once. A pending sign-in then becomes a session; an enrolment started from the
 * account page (already signed in) does not start another.
 */
export async function confirmEnrolment(
	event: SignInEvent,
	code: string,
	options: PasswordCheckOptions = {}
): Promise<SecondFactorResult> {
	const pending = await readPendingSignIn(event);
	if (!pending || pending.step !== 'enrol' || !pending.secret || !pending.sealedSecret) return { kind: 'expired' };
	const { userId, secret } = pending;
	let step = null as number | null;
	const check = await checkPasswordWithinLimits(
		getSecondFactorKeys(userId, event.getClientAddress()),
		async () => {
			step = matchTotpCode(secret, code, -1);
			return step !== null;
		},
		options
	);
	if (check !== 'accepted' || step === null) return refuseCode(userId, pending.via, 'code', check === 'refused');
	if (!(await finishPendingSignIn(event, pending))) return { kind: 'expired' };
	const recoveryCodes = await enableSecondFactor(userId, pending.sealedSecret, step);
	// Another enrolment of the same account finished first: that one stands, and this one signs nobody in.
	if (!recoveryCodes) return { kind: 'expired' };
	await recordAudit({ action: 'auth.second_factor_enabled', actorId: userId, objectType: 'user', objectId: userId });
	const signedIn = pending.via !== 'account';
	if (signedIn) await finishSignIn(event, userId, 'code');
	return { kind: 'enrolled', next: pending.next, recoveryCodes, signedIn };
}

async function refuseCode(
	userId: string,
	via: PendingVia,
	method: SecondFactorMethod,
	refused: boolean
): Promise<Refusal> {
	await recordAudit({
		action: 'auth.second_factor_failed',
		actorId: userId,
		objectType: 'user',
		objectId: userId,
		detail: { via, method, refused }
	});
	if (refused) return { kind: 'refused', status: 429, message: describeSignInPause() };
	return { kind: 'refused', status: 400, message: method === 'code' ? WRONG_CODE : WRONG_RECOVERY_CODE };
}
