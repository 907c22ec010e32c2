// signIn is the one way into an account (the login page and the invitation page both call it): these
// tests go through it against the real database, with the sign-in window set to 7 minutes to show the
// refusal takes its minutes from the configuration.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { db } from '../db';
import { auditEvent } from '../db/schema';
import { createAccount } from './accounts';
import { getLoginKeys } from './login-limits';
import { validateSessionToken } from './sessions';
import { getSessionCookieName } from './session-cookie';
import { signIn } from './sign-in';
import { createRequestEvent, uniqueAddress } from '$test/request-events';

// Hoisted: the configuration is read once, when the imports above open the database.
vi.hoisted(() => {
	vi.stubEnv('HEARTH_LOGIN_WINDOW_MINUTES', '7');
});
afterAll(() => {
	vi.unstubAllEnvs();
});

const password = 'a calm long password';
const noWait = async () => {};

async function makeMember(email = `${crypto.randomUUID()}@example.org`) {
	const created = await createAccount({ email, displayName: 'Kai', password, role: 'member' });
	return { id: created.id, email };
}

async function readFailedSignIns(accountKey: string) {
	const rows = await db.select().from(auditEvent).where(eq(auditEvent.action, 'auth.sign_in_failed'));
	return rows.filter((row) => row.detail?.account_key === accountKey);
}

describe('signIn', () => {
	it('starts a session for the right password and returns only the user id', async () => {
		const member = await makeMember();
		const event = createRequestEvent({ address: uniqueAddress() });

		const result = await signIn(event, { email: member.email.toUpperCase(), password, via: 'login' }, { wait: noWait });

		expect(result).toEqual({ kind: 'signed-in', userId: member.id });
		const token = event.jar.get(getSessionCookieName(event.url));
		expect(token).toBeDefined();
		expect((await validateSessionToken(token!)).user?.id).toBe(member.id);
		const signIns = await db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, 'auth.sign_in'), eq(auditEvent.actorId, member.id)));
		expect(signIns).toHaveLength(1);
	});

	it('answers a wrong password and an unknown email alike, with no session and an audited failure', async () => {
		const member = await makeMember();
		const address = uniqueAddress();
		const wrongEvent = createRequestEvent({ address });
		const unknownEvent = createRequestEvent({ address });

		const wrong = await signIn(
			wrongEvent,
			{ email: member.email, password: 'not the password', via: 'invitation' },
			{ wait: noWait }
		);
		const unknown = await signIn(
			unknownEvent,
			{ email: `${crypto.randomUUID()}@example.org`, password: 'not the password', via: 'login' },
			{ wait: noWait }
		);

		expect(wrong).toEqual({
			kind: 'refused',
			status: 400,
			message: 'That email and password did not match. Please try again.'
		});
		expect(unknown).toEqual(wrong);
		expect(wrongEvent.jar.size + unknownEvent.jar.size).toBe(0);
		const [failure] = await readFailedSignIns(getLoginKeys(member.email, address).account);
		expect(failure.detail).toMatchObject({ via: 'invitation', refused: false });
	});

	it('refuses with the configured window in the message, and audits the refusal', async () => {
		const member = await makeMember();
		const address = uniqueAddress();
		for (let attempt = 0; attempt < 10; attempt++) {
			await signIn(
				createRequestEvent({ address }),
				{ email: member.email, password: 'wrong guess', via: 'login' },
				{ wait: noWait }
			);
		}
		const event = createRequestEvent({ address });
		const refused = await signIn(event, { email: member.email, password, via: 'login' }, { wait: noWait });

		expect(refused).toMatchObject({ kind: 'refused', status: 429 });
		expect(refused.kind === 'refused' && refused.message).toContain('try again in 7 minutes');
		expect(event.jar.size).toBe(0);
		const failures = await readFailedSignIns(getLoginKeys(member.email, address).account);
		expect(failures.filter((row) => row.detail?.refused === true)).toHaveLength(1);
	});

	it('audits failures under a keyed hash: the same email gives the same key, and it is not a plain SHA-256', async () => {
		const email = `someone.${crypto.randomUUID()}@example.org`;
		const [first, second] = [uniqueAddress(), uniqueAddress()];
		await signIn(
			createRequestEvent({ address: first }),
			{ email: ` ${email.toUpperCase()} `, password: 'nope nope nope', via: 'login' },
			{ wait: noWait }
		);
		await signIn(
			createRequestEvent({ address: second }),
			{ email, password: 'nope nope nope', via: 'invitation' },
			{ wait: noWait }
		);
		await signIn(
			createRequestEvent({ address: first }),
			{ email: `other.${email}`, password: 'nope nope nope', via: 'login' },
			{ wait: noWait }
		);

		const rows = (
			await db.select().from(auditEvent).where(eq(auditEvent.action, 'auth.sign_in_failed')).orderBy(asc(auditEvent.id))
		).slice(-3);
		const keys = rows.map((row) => row.detail?.account_key);
		expect(keys[0]).toBe(keys[1]);
		expect(keys[2]).not.toBe(keys[0]);

		const plain = (text: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(text)));
		for (const guessable of [plain(email), plain(`account:${email}`), plain(email.toUpperCase())]) {
			expect(keys).not.toContain(guessable);
		}
		const stored = JSON.stringify(rows).toLowerCase();
		expect(stored).not.toContain('someone.');
		expect(stored).not.toContain(first.toLowerCase());
	});
});
