import { recordAudit, recordFailedSignIn } from '../audit';
import { verifyCredentials } from './accounts';
import { NO_MATCH, normaliseEmail } from './forms';
import { startSession, type CookieEvent } from '.';
import {
	checkPasswordWithinLimits,
	describeSignInPause,
	getLoginKeys,
	type PasswordCheckOptions
} from './login-limits';

export type SignInEvent = CookieEvent & { getClientAddress(): string };

/**
 * What a sign-in came to. A second factor will add its own kind here (the password was right, the session
 * waits for a code), returned from `completeSignIn` instead of starting the session.
 */
export type SignInResult =
	{ kind: 'signed-in'; userId: string } | { kind: 'refused'; status: 400 | 429; message: string };

/**
 * The one way into an account, for every page that signs someone in: the sign-in limits, the password,
 * the audit, then a new session (cookie set on `event`). A wrong password and an unknown email are answered
 * alike; the refusal's message is meant for the person.
 */
export async function signIn(
	event: SignInEvent,
	credentials: { email: string; password: string; via: 'login' | 'invitation' },
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
	return completeSignIn(event, userId);
}

/** After the password: the single place a second factor step goes, before any session exists. */
async function completeSignIn(event: SignInEvent, userId: string): Promise<SignInResult> {
	await startSession(event, userId);
	await recordAudit({ action: 'auth.sign_in', actorId: userId, objectType: 'user', objectId: userId });
	return { kind: 'signed-in', userId };
}
