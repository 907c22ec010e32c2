import { and, count, eq, gt, lt } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { db } from '../db';
import { getConfig } from '../config';
import { loginFailure } from '../db/schema';

// Failures are counted in the database, not in memory, so every Hearth process enforces the same limit.

function hashKey(kind: 'account' | 'address', value: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(`${kind}:${value}`)));
}

export interface LoginKeys {
	account: string;
	address: string;
}

export function getLoginKeys(email: string, address: string): LoginKeys {
	return { account: hashKey('account', email), address: hashKey('address', address) };
}

async function countRecentFailures(keyHash: string, since: Date): Promise<number> {
	const [row] = await db
		.select({ value: count() })
		.from(loginFailure)
		.where(and(eq(loginFailure.keyHash, keyHash), gt(loginFailure.failedAt, since)));
	return row?.value ?? 0;
}

/** True when either the account or the address has used up its failed attempts for the window. */
export async function isLoginThrottled(keys: LoginKeys): Promise<boolean> {
	const { maxFailuresPerAccount, maxFailuresPerAddress, windowMs } = getConfig().login;
	const since = new Date(Date.now() - windowMs);
	const [accountFailures, addressFailures] = await Promise.all([
		countRecentFailures(keys.account, since),
		countRecentFailures(keys.address, since)
	]);
	return accountFailures >= maxFailuresPerAccount || addressFailures >= maxFailuresPerAddress;
}

export async function recordLoginFailure(keys: LoginKeys): Promise<void> {
	const { windowMs } = getConfig().login;
	await db.insert(loginFailure).values([{ keyHash: keys.account }, { keyHash: keys.address }]);
	await db.delete(loginFailure).where(lt(loginFailure.failedAt, new Date(Date.now() - windowMs)));
}

export async function clearAccountFailures(keys: LoginKeys): Promise<void> {
	await db.delete(loginFailure).where(eq(loginFailure.keyHash, keys.account));
}
