// The sign-in limits (policy in login-limits.ts), through signIn against the real database with the default
// settings: 10 failures per account+address pair, slowing after 5 per account and 50 per address, waits
// capped at 10 s. Waits are recorded instead of slept.
import { describe, expect, it } from 'vitest';
import { createAccount } from './accounts';
import { computeAttemptDelay } from './login-limits';
import { signIn } from './sign-in';
import { createRequestEvent, uniqueAddress } from '$test/request-events';

const password = 'a calm long password';

async function makeMember() {
	const email = `${crypto.randomUUID()}@example.org`;
	await createAccount({ email, displayName: 'Noa', password, role: 'member' });
	return email;
}

/** Signs in and reports the outcome with how long the attempt was made to wait (0 when it did not wait). */
async function attempt(email: string, address: string, guess: string) {
	let waited = 0;
	const result = await signIn(
		createRequestEvent({ address }),
		{ email, password: guess, via: 'login' },
		{
			wait: async (ms) => {
				waited = ms;
			}
		}
	);
	return { kind: result.kind, status: result.kind === 'refused' ? result.status : 200, waited };
}

describe('the sign-in limits', () => {
	it('an attacker failing from one address cannot keep the member out from another', async () => {
		const email = await makeMember();
		const attacker = uniqueAddress();
		for (let guess = 0; guess < 30; guess++) await attempt(email, attacker, `wrong guess ${guess}`);

		const member = await attempt(email, uniqueAddress(), password);
		expect(member.kind).toBe('signed-in');
		expect(member.waited).toBeGreaterThan(0);
		expect(member.waited).toBeLessThanOrEqual(10_000);
	});

	it('refuses the account+address pair after 10 failures, even with the right password', async () => {
		const email = await makeMember();
		const address = uniqueAddress();
		for (let guess = 1; guess <= 10; guess++) {
			expect((await attempt(email, address, `wrong guess ${guess}`)).status).toBe(400);
		}
		expect(await attempt(email, address, password)).toMatchObject({ kind: 'refused', status: 429 });
		expect((await attempt(email, uniqueAddress(), password)).kind).toBe('signed-in');
	});

	it('refuses an unknown email exactly like a real one', async () => {
		const email = `${crypto.randomUUID()}@example.org`;
		const address = uniqueAddress();
		for (let guess = 1; guess <= 10; guess++) await attempt(email, address, `wrong guess ${guess}`);
		expect(await attempt(email, address, password)).toMatchObject({ kind: 'refused', status: 429 });
	});

	it('slows an account failed from many addresses more with each failure, up to 10 seconds', async () => {
		const email = await makeMember();
		const waits: number[] = [];
		for (let guess = 0; guess < 10; guess++)
			waits.push((await attempt(email, uniqueAddress(), `wrong ${guess}`)).waited);
		expect(waits).toEqual([0, 0, 0, 0, 0, 500, 1000, 2000, 4000, 8000]);
		const later = [];
		for (let guess = 0; guess < 3; guess++)
			later.push((await attempt(email, uniqueAddress(), `wrong ${guess}`)).waited);
		expect(later).toEqual([10_000, 10_000, 10_000]);
		// The right password waits like any other attempt (a quick answer would give it away), then gets in.
		expect(await attempt(email, uniqueAddress(), password)).toEqual({ kind: 'signed-in', status: 200, waited: 10_000 });
	});

	it('slows, never refuses, a shared address where many people mistype (a clinic behind one router)', async () => {
		const clinic = uniqueAddress();
		for (let person = 0; person < 52; person++) {
			expect((await attempt(`${crypto.randomUUID()}@example.org`, clinic, 'mistyped')).status).toBe(400);
		}
		const email = await makeMember();
		expect(await attempt(email, clinic, password)).toEqual({ kind: 'signed-in', status: 200, waited: 2000 });
	}, 60_000);

	it('counts a burst of simultaneous guesses from one address: no more than 10 are checked', async () => {
		const email = await makeMember();
		const address = uniqueAddress();
		const results = await Promise.all(
			Array.from({ length: 16 }, (_, guess) => attempt(email, address, `parallel guess ${guess}`))
		);
		const checked = results.filter((result) => result.status === 400).length;
		expect(checked).toBeLessThanOrEqual(10);
		expect(results.filter((result) => result.status === 429).length).toBe(16 - checked);
	}, 60_000);

	it('computes the wait from whichever count is further past its threshold', () => {
		const limits = {
			maxFailuresPerPair: 10,
			slowAfterAccountFailures: 5,
			slowAfterAddressFailures: 50,
			maxDelayMs: 3000,
			windowMs: 60_000
		};
		expect(computeAttemptDelay({ account: 4, address: 49 }, limits)).toBe(0);
		expect(computeAttemptDelay({ account: 5, address: 0 }, limits)).toBe(500);
		expect(computeAttemptDelay({ account: 0, address: 51 }, limits)).toBe(1000);
		expect(computeAttemptDelay({ account: 6, address: 52 }, limits)).toBe(2000);
		expect(computeAttemptDelay({ account: 5000, address: 0 }, limits)).toBe(3000);
	});
});
