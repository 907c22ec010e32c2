import { describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { db } from '../db';
import { auditEvent, user as userTable } from '../db/schema';
import { AccountError, changePassword, createAccount, createFirstAdmin, hasAdmin, verifyCredentials } from './accounts';
import { createSession, generateSessionToken, validateSessionToken } from './sessions';
import { getLoginKeys } from './login-limits';
import { signIn } from './sign-in';
import { createRequestEvent, uniqueAddress } from '$test/request-events';

const password = 'a calm long password';

function uniqueEmail() {
	return `${crypto.randomUUID()}@example.org`;
}

describe('first-run setup', () => {
	it('creates exactly one admin even when two people race, then stays closed', async () => {
		const attempts = await Promise.all(
			['Ada', 'Grace', 'Maya'].map((name) => createFirstAdmin({ displayName: name, email: uniqueEmail(), password }))
		);
		expect(attempts.filter(Boolean)).toHaveLength(1);
		expect(await hasAdmin()).toBe(true);
		expect(await createFirstAdmin({ displayName: 'Late', email: uniqueEmail(), password })).toBeNull();
		const admins = await db.select().from(userTable).where(eq(userTable.role, 'admin'));
		expect(admins).toHaveLength(1);
	});
});

describe('accounts', () => {
	it('stores an argon2id hash, never the password, and treats email case-insensitively', async () => {
		const email = uniqueEmail();
		const created = await createAccount({ email: email.toUpperCase(), displayName: ' Sam ', password, role: 'staff' });
		expect(created.email).toBe(email);
		expect(created.displayName).toBe('Sam');
		expect(created.passwordHash).toMatch(/^\$argon2id\$/);
		expect(created.passwordHash).not.toContain(password);
		await expect(createAccount({ email, displayName: 'Sam', password, role: 'staff' })).rejects.toThrow(AccountError);
	});

	it('refuses short passwords and empty names with a message for the person', async () => {
		await expect(
			createAccount({ email: uniqueEmail(), displayName: 'Sam', password: 'short', role: 'member' })
		).rejects.toThrow(/at least 10 characters/);
		await expect(createAccount({ email: uniqueEmail(), displayName: '   ', password, role: 'member' })).rejects.toThrow(
			/name/
		);
	});
});

describe('changing the password', () => {
	it('requires the current password and signs out every device', async () => {
		const email = uniqueEmail();
		const account = await createAccount({ email, displayName: 'Lee', password, role: 'member' });
		const token = generateSessionToken();
		await createSession(token, account.id);
		const address = uniqueAddress();

		await expect(
			changePassword({
				userId: account.id,
				currentPassword: 'wrong one!!',
				newPassword: 'another long password',
				address
			})
		).rejects.toThrow(AccountError);
		expect((await validateSessionToken(token)).session).not.toBeNull();

		await changePassword({
			userId: account.id,
			currentPassword: password,
			newPassword: 'another long password',
			address
		});
		expect((await validateSessionToken(token)).session).toBeNull();
		expect(await verifyCredentials(email, password)).toBeNull();
		expect(await verifyCredentials(email, 'another long password')).toBe(account.id);
	});

	it('checks the current password under the sign-in limits, so a stolen session is no password oracle', async () => {
		const email = uniqueEmail();
		const account = await createAccount({ email, displayName: 'Lee', password, role: 'member' });
		const address = uniqueAddress();
		const waits: number[] = [];
		const wait = async (ms: number) => void waits.push(ms);
		const change = (currentPassword: string, from = address) =>
			changePassword(
				{ userId: account.id, currentPassword, newPassword: 'another long password', address: from },
				{ wait }
			);

		// Failed sign-ins and failed password checks count against the same account+address pair.
		for (let guess = 0; guess < 4; guess++) {
			await signIn(createRequestEvent({ address }), { email, password: `guess ${guess}`, via: 'login' }, { wait });
		}
		for (let guess = 4; guess < 10; guess++) {
			await expect(change(`guess ${guess}`)).rejects.toThrow('did not match');
		}
		expect(waits).toEqual([500, 1000, 2000, 4000, 8000]);

		await expect(change(password)).rejects.toThrow(/Too many attempts.*try again in 15 minutes/);
		expect(await verifyCredentials(email, password)).toBe(account.id);
		const failed = await db
			.select()
			.from(auditEvent)
			.where(eq(auditEvent.action, 'auth.sign_in_failed'))
			.orderBy(asc(auditEvent.id));
		const accountKey = getLoginKeys(email, address).account;
		const mine = failed.filter((row) => row.detail?.account_key === accountKey);
		expect(mine.map((row) => row.detail?.via)).toEqual([
			...Array(4).fill('login'),
			...Array(7).fill('password_change')
		]);

		await change(password, uniqueAddress());
		expect(await verifyCredentials(email, 'another long password')).toBe(account.id);
	});
});
