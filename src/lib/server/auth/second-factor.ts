/*
 * The second factor: TOTP (RFC 6238 as authenticator apps use it: HMAC-SHA-1, 6 digits, 30-second steps)
 * with one-time recovery codes. Required for admins and staff, optional for members.
 *
 *   secret          20 random bytes, sealed with the data keyring (purpose `second-factor`, document
 *                   `user:<id>`): a database copy alone does not give anyone codes, and a sealed secret
 *                   moved to another account fails to open.
 *   a code          accepted for the current step and the one either side (a phone clock a little off, a
 *                   code typed as it changed), and only for a step later than the last one accepted for the
 *                   account: a code is never accepted twice, nor one older than a code already used.
 *   recovery codes  10 per account, 80 random bits each (xxxx-xxxx-xxxx-xxxx), shown once; only a SHA-256
 *                   of each is stored, and using one deletes it.
 *
 * Attempts go through the sign-in limits (login-limits.ts, getSecondFactorKeys); this module only decides
 * whether a code is right, and records that it was used.
 */
import { and, count, eq, lt } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeBase32UpperCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import { encode } from 'uqr';
import { db, type Database } from '../db';
import { recoveryCode, secondFactor, user, type PracticeRole } from '../db/schema';
import { getKeyring } from '../realtime';
import { secondFactorDocument, type Sealed } from '../realtime/encryption';

const ISSUER = 'Hearth';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** Steps accepted either side of the current one. */
const WINDOW_STEPS = 1;
const SECRET_BYTES = 20;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_BYTES = 10;

/** Admins and staff hold other people's confidences: they may not sign in with a password alone. */
export function requiresSecondFactor(role: PracticeRole): boolean {
	return role === 'admin' || role === 'staff';
}

export function generateTotpSecret(): Uint8Array {
	return crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
}

export function sealTotpSecret(userId: string, secret: Uint8Array): Sealed {
	return getKeyring().seal(secret, secondFactorDocument(userId), 'second-factor');
}

/** Throws UnreadableDataError when the keyring lacks the key, or the bytes belong to another account. */
export function openTotpSecret(userId: string, sealed: Sealed): Uint8Array {
	return getKeyring().open(sealed, secondFactorDocument(userId), 'second-factor');
}

/** The 30-second step a moment falls in. */
export function getTimeStep(now = Date.now()): number {
	return Math.floor(now / (PERIOD_SECONDS * 1000));
}

/** What an authenticator app needs: the otpauth URI (as a QR code's path) and the secret to type in. */
export function describeTotpSecret(secret: Uint8Array, accountName: string) {
	const uri = createTOTPKeyURI(ISSUER, accountName, secret, PERIOD_SECONDS, DIGITS);
	const qr = encode(uri, { ecc: 'M', border: 2 });
	// One rectangle per run of dark modules in a row: a short path, and no seams inside a run.
	let path = '';
	qr.data.forEach((row, y) => {
		for (let x = 0; x < row.length; x++) {
			if (!row[x]) continue;
			const start = x;
			while (row[x + 1]) x++;
			path += `M${start} ${y}h${x - start + 1}v1h-${x - start + 1}z`;
		}
	});
	return {
		qr: { size: qr.size, path },
		/** Upper case in groups of four, as apps that take a typed key show it. */
		key: encodeBase32UpperCaseNoPadding(secret).replace(/(.{4})(?=.)/g, '$1 ')
	};
}

/** What the enrolment page shows for `userId`'s new secret; the app lists it under the account's email. */
export async function describeEnrolment(userId: string, secret: Uint8Array) {
	const [account] = await db.select({ email: user.email }).from(user).where(eq(user.id, userId));
	return describeTotpSecret(secret, account?.email ?? 'Hearth');
}

/**
 * The step `code` belongs to, if it is right for a step in the window and later than `lastUsedStep`; else
 * null. Pure: the caller records the step (acceptTotpCode), which is what makes a code single-use.
 */
export function matchTotpCode(secret: Uint8Array, code: string, lastUsedStep: number, now = Date.now()): number | null {
	const digits = code.replace(/\s/g, '');
	if (!/^\d{6}$/.test(digits)) return null;
	const current = getTimeStep(now);
	for (let step = current - WINDOW_STEPS; step <= current + WINDOW_STEPS; step++) {
		if (step > lastUsedStep && verifyHOTP(secret, BigInt(step), DIGITS, digits)) return step;
	}
	return null;
}

export async function hasSecondFactor(userId: string): Promise<boolean> {
	const [row] = await db
		.select({ userId: secondFactor.userId })
		.from(secondFactor)
		.where(eq(secondFactor.userId, userId));
	return row !== undefined;
}

/** Whether the second factor is on, and how many recovery codes are left. */
export async function getSecondFactorStatus(userId: string): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
	const enabled = await hasSecondFactor(userId);
	const [row] = await db.select({ left: count() }).from(recoveryCode).where(eq(recoveryCode.userId, userId));
	return { enabled, recoveryCodesLeft: row?.left ?? 0 };
}

/**
 * Accepts a code from the account's app once: true only when it is right, in the window and for a step after
 * the last one accepted, which it then becomes (atomically, so two requests with the same code cannot both
 * pass). A secret sealed with a previous data key is re-sealed with the current one.
 */
export async function acceptTotpCode(userId: string, code: string, now = Date.now()): Promise<boolean> {
	const [row] = await db
		.select({ keyId: secondFactor.keyId, secret: secondFactor.secret, lastUsedStep: secondFactor.lastUsedStep })
		.from(secondFactor)
		.where(eq(secondFactor.userId, userId));
	if (!row) return false;
	const secret = openTotpSecret(userId, { keyId: row.keyId, data: row.secret });
	const step = matchTotpCode(secret, code, row.lastUsedStep, now);
	if (step === null) return false;
	const resealed = row.keyId === getKeyring().currentKeyId ? {} : toColumns(sealTotpSecret(userId, secret));
	const updated = await db
		.update(secondFactor)
		.set({ lastUsedStep: step, ...resealed })
		.where(and(eq(secondFactor.userId, userId), lt(secondFactor.lastUsedStep, step)))
		.returning({ userId: secondFactor.userId });
	return updated.length === 1;
}

function toColumns(sealed: Sealed): { keyId: string; secret: Uint8Array } {
	return { keyId: sealed.keyId, secret: sealed.data };
}

/** How recovery codes are compared: lower case, without the dashes and spaces people type or copy. */
function normaliseRecoveryCode(code: string): string {
	return code.toLowerCase().replace(/[\s-]/g, '');
}

function hashRecoveryCode(userId: string, code: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(`${userId}:${normaliseRecoveryCode(code)}`)));
}

/** Uses up one recovery code: true once per code (the row is deleted as it is read), false otherwise. */
export async function acceptRecoveryCode(userId: string, code: string): Promise<boolean> {
	if (!/^[a-z2-7]{16}$/.test(normaliseRecoveryCode(code))) return false;
	const used = await db
		.delete(recoveryCode)
		.where(and(eq(recoveryCode.userId, userId), eq(recoveryCode.codeHash, hashRecoveryCode(userId, code))))
		.returning({ userId: recoveryCode.userId });
	return used.length === 1;
}

/** New recovery codes for the account, replacing any it had; the only time they exist in the clear. */
export async function replaceRecoveryCodes(userId: string, tx: Database = db): Promise<string[]> {
	const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
		encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(RECOVERY_CODE_BYTES))).replace(
			/(.{4})(?=.)/g,
			'$1-'
		)
	);
	await tx.delete(recoveryCode).where(eq(recoveryCode.userId, userId));
	await tx.insert(recoveryCode).values(codes.map((code) => ({ userId, codeHash: hashRecoveryCode(userId, code) })));
	return codes;
}

/**
 * Turns the second factor on with a secret whose code for `step` the person has just typed (that step is
 * then used up), and returns the new recovery codes; null when the account already has one (it is never
 * replaced this way).
 */
export async function enableSecondFactor(userId: string, sealed: Sealed, step: number): Promise<string[] | null> {
	return db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const added = await tx
			.insert(secondFactor)
			.values({ userId, ...toColumns(sealed), lastUsedStep: step })
			.onConflictDoNothing()
			.returning({ userId: secondFactor.userId });
		if (added.length === 0) return null;
		return replaceRecoveryCodes(userId, tx);
	});
}

export async function disableSecondFactor(userId: string): Promise<void> {
	await db.transaction(async (tx) => {
		await tx.delete(recoveryCode).where(eq(recoveryCode.userId, userId));
		await tx.delete(secondFactor).where(eq(secondFactor.userId, userId));
	});
}
