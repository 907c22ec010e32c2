/*
 * Sign-in limits: slow password guessing down without giving anyone a button that locks a member out.
 *
 *   account+address pair   after HEARTH_LOGIN_MAX_FAILURES failures in the window, that pair is refused
 *                          (the right password included) until the window has passed
 *   account, any address   after HEARTH_LOGIN_MAX_FAILURES_PER_ACCOUNT failures, every attempt waits
 *   address, any account   after HEARTH_LOGIN_MAX_FAILURES_PER_ADDRESS failures, every attempt waits
 *
 * The wait starts at half a second and doubles with each further failure, up to HEARTH_LOGIN_MAX_DELAY_SECONDS.
 * Only the pair is ever refused: someone failing against an account from elsewhere, or many people behind one
 * clinic address, can slow the right password from a fresh address down but never stop it.
 *
 * Every attempt waits before its password is checked, whatever the password: an attacker who gave up on
 * slow answers would otherwise learn that a fast answer meant the right one.
 *
 * Failures are rows in the database (every process counts the same), keyed by keyed hashes of the email and
 * the address (HMAC-SHA-256 under a key derived from the data key), so the table and the audit log that
 * shares the account key say nothing to someone who has only the database.
 */
import { and, eq, gt, lt, ne, or, sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { db } from '../db';
import { getConfig, type Config } from '../config';
import { loginFailure } from '../db/schema';
import { getKeyring } from '../realtime';

const KEY_PURPOSE = 'hearth.sign-in-keys.v1';
const FIRST_DELAY_MS = 500;

export interface LoginKeys {
	account: string;
	address: string;
}

/** `email` normalised by the caller; the same email always gives the same account key (the audit relies on it). */
export function getLoginKeys(email: string, address: string): LoginKeys {
	const keyring = getKeyring();
	return {
		account: keyring.keyedHash(KEY_PURPOSE, `account:${email}`),
		address: keyring.keyedHash(KEY_PURPOSE, `address:${address}`)
	};
}

/**
 * Second-factor codes are counted under an account key of their own (the user, not the email), by the same
 * model and with the same address key: the right password forgives only password failures, so it cannot
 * reset the count of wrong codes.
 */
export function getSecondFactorKeys(userId: string, address: string): LoginKeys {
	const keyring = getKeyring();
	return {
		account: keyring.keyedHash(KEY_PURPOSE, `second-factor:${userId}`),
		address: keyring.keyedHash(KEY_PURPOSE, `address:${address}`)
	};
}

export interface RecentFailures {
	account: number;
	address: number;
	pair: number;
}

/** How long an attempt waits, given the failures before it; 0 while both counts are under their thresholds. */
export function computeAttemptDelay(
	failures: Pick<RecentFailures, 'account' | 'address'>,
	limits: Config['login'] = getConfig().login
): number {
	const excess = Math.max(
		failures.account - limits.slowAfterAccountFailures,
		failures.address - limits.slowAfterAddressFailures
	);
	if (excess < 0) return 0;
	return Math.min(limits.maxDelayMs, FIRST_DELAY_MS * 2 ** excess);
}

/** What a refused person reads: the window's length, from the configuration. */
export function describeSignInPause(): string {
	const minutes = Math.ceil(getConfig().login.windowMs / 60_000);
	return (
		'Too many attempts. Signing in to this account from here is paused for a while to keep it safe — ' +
		`please try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}.`
	);
}

async function countRecentFailures(keys: LoginKeys, exceptId: number): Promise<RecentFailures> {
	const since = new Date(Date.now() - getConfig().login.windowMs);
	const isAccount = eq(loginFailure.accountKey, keys.account);
	const isAddress = eq(loginFailure.addressKey, keys.address);
	const [row] = await db
		.select({
			account: sql<number>`count(*) filter (where ${isAccount})`.mapWith(Number),
			address: sql<number>`count(*) filter (where ${isAddress})`.mapWith(Number),
			pair: sql<number>`count(*) filter (where ${and(isAccount, isAddress)})`.mapWith(Number)
		})
		.from(loginFailure)
		.where(and(or(isAccount, isAddress), gt(loginFailure.failedAt, since), ne(loginFailure.id, exceptId)));
	return row ?? { account: 0, address: 0, pair: 0 };
}

export type PasswordCheck = 'accepted' | 'rejected' | 'refused';

export interface PasswordCheckOptions {
	/** How the attempt waits; tests pass one that records the delay instead of sleeping. */
	wait?: (ms: number) => Promise<unknown>;
}

/**
 * Runs one password check under the limits above: 'refused' without checking when the pair has used up its
 * failures, otherwise waits as the counts say, then 'accepted' (the pair's failures are forgiven) or
 * 'rejected' (counted). Used by every place that checks a password (sign-in, password change, the account's
 * second-factor settings) and for second-factor codes (with getSecondFactorKeys).
 */
export async function checkPasswordWithinLimits(
	keys: LoginKeys,
	verify: () => Promise<boolean>,
	options: PasswordCheckOptions = {}
): Promise<PasswordCheck> {
	const limits = getConfig().login;
	// Counted as a failure before the password is checked, so attempts sent all at once see each other:
	// a burst can neither slip past the pair's limit nor skip the waits.
	const [attempt] = await db
		.insert(loginFailure)
		.values({ accountKey: keys.account, addressKey: keys.address })
		.returning({ id: loginFailure.id });
	const earlier = await countRecentFailures(keys, attempt.id);
	if (earlier.pair >= limits.maxFailuresPerPair) {
		// A refused attempt checked nothing; counting it would keep the pair paused for as long as someone retries.
		await db.delete(loginFailure).where(eq(loginFailure.id, attempt.id));
		return 'refused';
	}
	const delay = computeAttemptDelay(earlier, limits);
	if (delay > 0) await (options.wait ?? sleep)(delay);

	if (await verify()) {
		// The person proved who they are from here: their own mistypes stop counting anywhere. Failures from
		// other addresses stay, or an attacker's count would reset whenever the member signs in.
		await db
			.delete(loginFailure)
			.where(and(eq(loginFailure.accountKey, keys.account), eq(loginFailure.addressKey, keys.address)));
		return 'accepted';
	}
	await db.delete(loginFailure).where(lt(loginFailure.failedAt, new Date(Date.now() - limits.windowMs)));
	return 'rejected';
}
