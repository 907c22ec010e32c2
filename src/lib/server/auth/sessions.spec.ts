import { afterEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { db } from '../db';
import { session as sessionTable } from '../db/schema';
import { createAccount } from './accounts';
import {
	createSession,
	generateSessionToken,
	hashSessionToken,
	invalidateSession,
	invalidateUserSessions,
	validateSessionToken,
	validateSessionTokens
} from './sessions';

const MINUTE = 60_000;

async function makeUser() {
	return createAccount({
		email: `${crypto.randomUUID()}@example.org`,
		displayName: 'Robin',
		password: 'a calm long password',
		role: 'member'
	});
}

afterEach(() => {
	vi.useRealTimers();
});

describe('sessions', () => {
	it('stores only the hash of the token', async () => {
		const user = await makeUser();
		const token = generateSessionToken();
		await createSession(token, user.id);
		const rows = await db.select().from(sessionTable).where(eq(sessionTable.userId, user.id));
		expect(rows).toHaveLength(1);
		expect(rows[0].id).toBe(hashSessionToken(token));
		expect(rows[0].id).not.toContain(token);
	});

	it('validates a fresh token and rejects an unknown one', async () => {
		const user = await makeUser();
		const token = generateSessionToken();
		await createSession(token, user.id);
		expect((await validateSessionToken(token)).user?.id).toBe(user.id);
		expect((await validateSessionToken(generateSessionToken())).user).toBeNull();
	});

	it('slides the expiry while in use, but ends after the idle timeout', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const user = await makeUser();
		const token = generateSessionToken();
		const start = Date.now();
		await createSession(token, user.id);

		// Default idle timeout is 120 minutes: using it at 100 minutes keeps it alive past 120.
		vi.setSystemTime(start + 100 * MINUTE);
		expect((await validateSessionToken(token)).session).not.toBeNull();
		vi.setSystemTime(start + 200 * MINUTE);
		expect((await validateSessionToken(token)).session).not.toBeNull();

		vi.setSystemTime(start + 200 * MINUTE + 121 * MINUTE);
		expect((await validateSessionToken(token)).session).toBeNull();
		// Once ended it stays ended, even if the clock were to go back.
		vi.setSystemTime(start + 200 * MINUTE);
		expect((await validateSessionToken(token)).session).toBeNull();
	});

	it('ends at the absolute lifetime however active the user is', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const user = await makeUser();
		const token = generateSessionToken();
		const start = Date.now();
		await createSession(token, user.id);
		for (let minutes = 90; minutes < 24 * 60; minutes += 90) {
			vi.setSystemTime(start + minutes * MINUTE);
			expect((await validateSessionToken(token)).session).not.toBeNull();
		}
		vi.setSystemTime(start + 24 * 60 * MINUTE);
		expect((await validateSessionToken(token)).session).toBeNull();
	});

	it('validates many tokens at once as it validates each: slides those in use, ends the idle, knows no stranger', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const [ana, ben] = [await makeUser(), await makeUser()];
		const [anaToken, benToken, idleToken] = [generateSessionToken(), generateSessionToken(), generateSessionToken()];
		const start = Date.now();
		await createSession(idleToken, ben.id);
		vi.setSystemTime(start + 30 * MINUTE);
		await createSession(anaToken, ana.id);
		await createSession(benToken, ben.id);

		vi.setSystemTime(start + 125 * MINUTE);
		const stranger = generateSessionToken();
		const results = await validateSessionTokens([anaToken, stranger, benToken, idleToken, anaToken]);
		expect(results.map((result) => result.user?.id ?? null)).toEqual([ana.id, null, ben.id, null, ana.id]);
		const stored = await db.select().from(sessionTable).where(eq(sessionTable.userId, ben.id));
		expect(stored.map((row) => row.id)).toEqual([hashSessionToken(benToken)]);
		expect(stored[0].expiresAt.getTime()).toBe(start + (125 + 120) * MINUTE);
	});

	it('signing out ends one session; signing out everywhere ends them all', async () => {
		const user = await makeUser();
		const phone = generateSessionToken();
		const laptop = generateSessionToken();
		const tablet = generateSessionToken();
		const phoneSession = await createSession(phone, user.id);
		await createSession(laptop, user.id);
		await createSession(tablet, user.id);

		await invalidateSession(phoneSession.id, user.id);
		expect((await validateSessionToken(phone)).session).toBeNull();
		expect((await validateSessionToken(laptop)).session).not.toBeNull();

		await invalidateUserSessions(user.id);
		expect((await validateSessionToken(laptop)).session).toBeNull();
		expect((await validateSessionToken(tablet)).session).toBeNull();
	});
});
