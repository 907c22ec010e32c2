// The second factor against the real database: which codes are accepted (the window, never twice), recovery
// codes (each once), the secret sealed at rest, and the sign-in that waits for it (pending, throttled,
// audited, bound to its address, single use).
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { generateHOTP } from '@oslojs/otp';
import { db } from '../db';
import { auditEvent, secondFactor } from '../db/schema';
import { UnreadableDataError } from '../realtime/encryption';
import { createAccount } from './accounts';
import { readPendingSignIn } from './pending-sign-in';
import {
	acceptRecoveryCode,
	acceptTotpCode,
	enableSecondFactor,
	generateTotpSecret,
	getTimeStep,
	openTotpSecret,
	sealTotpSecret
} from './second-factor';
import { validateSessionToken } from './sessions';
import { getSessionCookieName } from './session-cookie';
import { confirmEnrolment, signIn, signInWithSecondFactor, startEnrolment } from './sign-in';
import { renewRecoveryCodes, turnOffSecondFactor } from './second-factor-settings';
import { createRequestEvent, uniqueAddress, type TestRequestEvent } from '$test/request-events';

const password = 'a calm long password';
const noWait = async () => {};
const codeFor = (secret: Uint8Array, step: number) => generateHOTP(secret, BigInt(step), 6);

async function makeAccount(role: 'staff' | 'member' = 'staff') {
	const email = `${crypto.randomUUID()}@example.org`;
	const created = await createAccount({ email, displayName: 'Ari', password, role });
	return { id: created.id, email };
}

/** An account whose second factor is on, its last accepted code `lastStep` steps from now. */
async function makeEnrolled(lastStep = getTimeStep() - 5) {
	const account = await makeAccount();
	const secret = generateTotpSecret();
	const recoveryCodes = (await enableSecondFactor(account.id, sealTotpSecret(account.id, secret), lastStep))!;
	return { ...account, secret, recoveryCodes };
}

function sessionOf(event: TestRequestEvent) {
	return event.jar.get(getSessionCookieName(event.url));
}

describe('codes from the app', () => {
	it('are accepted for the current 30-second step and the one either side, not beyond', async () => {
		const now = Date.now();
		const step = getTimeStep(now);
		const account = await makeEnrolled(step - 10);

		expect(await acceptTotpCode(account.id, codeFor(account.secret, step - 2), now)).toBe(false);
		expect(await acceptTotpCode(account.id, codeFor(account.secret, step + 2), now)).toBe(false);
		expect(await acceptTotpCode(account.id, codeFor(account.secret, step - 1), now)).toBe(true);
		expect(await acceptTotpCode(account.id, codeFor(account.secret, step), now)).toBe(true);
		expect(await acceptTotpCode(account.id, `${codeFor(account.secret, step + 1).slice(0, 3)} x`, now)).toBe(false);
		expect(await acceptTotpCode(account.id, codeFor(account.secret, step + 1), now)).toBe(true);
	});

	it('are never accepted twice, nor a code older than one already used', async () => {
		const now = Date.now();
		const step = getTimeStep(now);
		const account = await makeEnrolled(step - 10);
		const current = codeFor(account.secret, step);

		expect(await acceptTotpCode(account.id, current, now)).toBe(true);
		expect(await acceptTotpCode(account.id, current, now)).toBe(false);
		expect(await acceptTotpCode(account.id, codeFor(account.secret, step - 1), now)).toBe(false);
		// Sent at the same moment, the same code passes once.
		const next = codeFor(account.secret, step + 1);
		const both = await Promise.all([acceptTotpCode(account.id, next, now), acceptTotpCode(account.id, next, now)]);
		expect(both.filter(Boolean)).toHaveLength(1);
	});

	it('come from a secret stored sealed, which opens for its own account only', async () => {
		const account = await makeEnrolled();
		const [row] = await db.select().from(secondFactor).where(eq(secondFactor.userId, account.id));
		expect(Buffer.from(row.secret).includes(Buffer.from(account.secret))).toBe(false);
		const sealed = { keyId: row.keyId, data: row.secret };
		expect(openTotpSecret(account.id, sealed)).toEqual(account.secret);
		const other = await makeAccount();
		expect(() => openTotpSecret(other.id, sealed)).toThrow(UnreadableDataError);
	});
});

describe('recovery codes', () => {
	it('are ten, each working once, however they are typed, and only for their own account', async () => {
		const account = await makeEnrolled();
		const other = await makeEnrolled();
		expect(account.recoveryCodes).toHaveLength(10);
		expect(new Set(account.recoveryCodes).size).toBe(10);
		const [first, second] = account.recoveryCodes;

		expect(await acceptRecoveryCode(other.id, first)).toBe(false);
		expect(await acceptRecoveryCode(account.id, first)).toBe(true);
		expect(await acceptRecoveryCode(account.id, first)).toBe(false);
		expect(await acceptRecoveryCode(account.id, ` ${second.toUpperCase().replaceAll('-', ' ')} `)).toBe(true);
	});

	it('are replaced only with the current password, and the old ones stop working', async () => {
		const account = await makeEnrolled();
		const address = uniqueAddress();
		await expect(
			renewRecoveryCodes({ userId: account.id, password: 'not it', address }, { wait: noWait })
		).rejects.toThrow('did not match');
		const renewed = await renewRecoveryCodes({ userId: account.id, password, address }, { wait: noWait });
		expect(renewed).toHaveLength(10);
		expect(await acceptRecoveryCode(account.id, account.recoveryCodes[0])).toBe(false);
		expect(await acceptRecoveryCode(account.id, renewed[0])).toBe(true);
	});
});

describe('signing in with a second factor', () => {
	it('makes staff without one enrol before any session exists, then signs them in', async () => {
		const staff = await makeAccount('staff');
		const event = createRequestEvent({ address: uniqueAddress() });

		const result = await signIn(event, { email: staff.email, password, via: 'login' }, { wait: noWait });

		expect(result).toEqual({ kind: 'second-factor', step: 'enrol' });
		expect(sessionOf(event)).toBeUndefined();
		const pending = await readPendingSignIn(event);
		expect(pending?.secret).toBeInstanceOf(Uint8Array);
		expect(await confirmEnrolment(event, '000000', { wait: noWait })).toMatchObject({ kind: 'refused' });

		const enrolled = await confirmEnrolment(event, codeFor(pending!.secret!, getTimeStep()), { wait: noWait });
		expect(enrolled).toMatchObject({ kind: 'enrolled', next: '/', signedIn: true });
		expect(enrolled.kind === 'enrolled' && enrolled.recoveryCodes).toHaveLength(10);
		expect((await validateSessionToken(sessionOf(event)!)).user?.id).toBe(staff.id);
		// The pending sign-in was used up with it.
		expect(await readPendingSignIn(event)).toBeNull();
	});

	it('signs members without one in at once, and asks those with one for a code', async () => {
		const member = await makeAccount('member');
		const event = createRequestEvent({ address: uniqueAddress() });
		expect(await signIn(event, { email: member.email, password, via: 'login' }, { wait: noWait })).toEqual({
			kind: 'signed-in',
			userId: member.id
		});

		const staff = await makeEnrolled();
		const staffEvent = createRequestEvent({ address: uniqueAddress() });
		const result = await signIn(staffEvent, { email: staff.email, password, via: 'invitation' }, { wait: noWait });
		expect(result).toEqual({ kind: 'second-factor', step: 'code' });
		expect(sessionOf(staffEvent)).toBeUndefined();

		const done = await signInWithSecondFactor(
			staffEvent,
			{ code: codeFor(staff.secret, getTimeStep()), method: 'code' },
			{ wait: noWait }
		);
		expect(done).toEqual({ kind: 'signed-in', next: '/' });
		expect((await validateSessionToken(sessionOf(staffEvent)!)).user?.id).toBe(staff.id);
		const signIns = await db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, 'auth.sign_in'), eq(auditEvent.actorId, staff.id)));
		expect(signIns.map((row) => row.detail)).toEqual([{ second_factor: 'code' }]);
	});

	it('holds the step for the address that started it, and for one use', async () => {
		const staff = await makeEnrolled();
		const event = createRequestEvent({ address: uniqueAddress() });
		await signIn(event, { email: staff.email, password, via: 'login' }, { wait: noWait });

		const elsewhere = createRequestEvent({ address: uniqueAddress() });
		for (const [name, value] of event.jar) elsewhere.jar.set(name, value);
		const code = codeFor(staff.secret, getTimeStep());
		expect(await signInWithSecondFactor(elsewhere, { code, method: 'code' }, { wait: noWait })).toEqual({
			kind: 'expired'
		});

		const pendingCookies = new Map(event.jar);
		expect(await signInWithSecondFactor(event, { code, method: 'code' }, { wait: noWait })).toMatchObject({
			kind: 'signed-in'
		});
		const replay = createRequestEvent({ address: event.getClientAddress() });
		for (const [name, value] of pendingCookies) replay.jar.set(name, value);
		const recovery = staff.recoveryCodes[0];
		expect(await signInWithSecondFactor(replay, { code: recovery, method: 'recovery_code' })).toEqual({
			kind: 'expired'
		});
	});

	it('throttles codes like passwords, apart from them: the right password does not forgive wrong codes', async () => {
		const staff = await makeEnrolled();
		const address = uniqueAddress();
		const event = createRequestEvent({ address });
		await signIn(event, { email: staff.email, password, via: 'login' }, { wait: noWait });

		for (let attempt = 0; attempt < 10; attempt++) {
			const wrong = await signInWithSecondFactor(event, { code: '000000', method: 'code' }, { wait: noWait });
			expect(wrong).toMatchObject({ kind: 'refused', status: 400 });
		}
		// The password again, from the same address: accepted, and the codes stay paused.
		expect(await signIn(event, { email: staff.email, password, via: 'login' }, { wait: noWait })).toEqual({
			kind: 'second-factor',
			step: 'code'
		});
		const code = codeFor(staff.secret, getTimeStep());
		const paused = await signInWithSecondFactor(event, { code, method: 'code' }, { wait: noWait });
		expect(paused).toMatchObject({ kind: 'refused', status: 429, message: expect.stringContaining('paused') });
		expect(sessionOf(event)).toBeUndefined();
		const recovery = await signInWithSecondFactor(
			event,
			{ code: staff.recoveryCodes[0], method: 'recovery_code' },
			{ wait: noWait }
		);
		expect(recovery).toMatchObject({ kind: 'refused', status: 429 });

		const failures = await db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, 'auth.second_factor_failed'), eq(auditEvent.actorId, staff.id)));
		expect(failures).toHaveLength(12);
		expect(failures.at(-1)?.detail).toEqual({ via: 'login', method: 'recovery_code', refused: true });

		// Another address is not paused: the person with their phone still gets in.
		const home = createRequestEvent({ address: uniqueAddress() });
		await signIn(home, { email: staff.email, password, via: 'login' }, { wait: noWait });
		expect(await signInWithSecondFactor(home, { code, method: 'code' }, { wait: noWait })).toMatchObject({
			kind: 'signed-in'
		});
	});
});

describe('a member turning it on', () => {
	it('enrols from the account page without a second session, and is asked for a code from then on', async () => {
		const member = await makeAccount('member');
		const event = createRequestEvent({ address: uniqueAddress(), path: '/account' });
		await startEnrolment(event, member.id);
		const pending = await readPendingSignIn(event);
		expect(pending).toMatchObject({ step: 'enrol', via: 'account', next: '/account' });

		const enrolled = await confirmEnrolment(event, codeFor(pending!.secret!, getTimeStep()), { wait: noWait });
		expect(enrolled).toMatchObject({ kind: 'enrolled', next: '/account', signedIn: false });
		expect(sessionOf(event)).toBeUndefined();
		const later = createRequestEvent({ address: uniqueAddress() });
		expect(await signIn(later, { email: member.email, password, via: 'login' }, { wait: noWait })).toEqual({
			kind: 'second-factor',
			step: 'code'
		});
	});
});

describe('turning it off', () => {
	it('is for members, with their password and a current code; staff keep it', async () => {
		const staff = await makeEnrolled();
		const address = uniqueAddress();
		const code = codeFor(staff.secret, getTimeStep());
		await expect(
			turnOffSecondFactor({ userId: staff.id, role: 'staff', password, code, address }, { wait: noWait })
		).rejects.toThrow('Staff accounts keep two-step sign-in on');

		const member = await makeEnrolled();
		const memberCode = codeFor(member.secret, getTimeStep());
		const input = { userId: member.id, role: 'member' as const, password, address };
		await expect(turnOffSecondFactor({ ...input, code: '000000' }, { wait: noWait })).rejects.toThrow(
			'That code did not work'
		);
		await turnOffSecondFactor({ ...input, code: memberCode }, { wait: noWait });
		expect(await db.select().from(secondFactor).where(eq(secondFactor.userId, member.id))).toEqual([]);
		expect(await acceptRecoveryCode(member.id, member.recoveryCodes[0])).toBe(false);
	});
});
