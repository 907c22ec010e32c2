/*
 * "The password was right; the second factor is still to come." Held server-side, never as a session:
 *
 *   cookie   `hearth_sign_in` (`__Host-` over https): 160 random bits, HttpOnly, SameSite=Strict, 10 minutes
 *   row      pending_sign_in: the SHA-256 of that token, the user, the step (`code` or `enrol`), where the
 *            person came from and goes next, the keyed hash of their address, and for an enrolment the new
 *            secret it shows (sealed)
 *
 * Only the second-factor pages read it; hooks.server.ts never does, so nothing else is reachable with it.
 * A row is good for 10 minutes, from the address that started it, and once: finishing deletes it, and a
 * new one replaces any the browser held.
 */
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Cookies } from '@sveltejs/kit';
import { db } from '../db';
import { pendingSignIn } from '../db/schema';
import type { Sealed } from '../realtime/encryption';
import { generateSessionToken, hashSessionToken } from './sessions';
import { generateTotpSecret, openTotpSecret, sealTotpSecret } from './second-factor';
import { getSecondFactorKeys } from './login-limits';

/** How long the second-factor step may take; pages say it in minutes. */
export const PENDING_SIGN_IN_MINUTES = 10;
const LIFETIME_MS = PENDING_SIGN_IN_MINUTES * 60_000;
const SECURE_NAME = '__Host-hearth_sign_in';
const PLAIN_NAME = 'hearth_sign_in';

type PendingEvent = { cookies: Cookies; url: URL; getClientAddress(): string };
type PendingRow = typeof pendingSignIn.$inferSelect;
export type PendingStep = PendingRow['step'];
export type PendingVia = PendingRow['via'];

export interface PendingSignIn {
	id: string;
	userId: string;
	step: PendingStep;
	via: PendingVia;
	next: string;
	/** The secret an enrolment shows (null for `code`). */
	secret: Uint8Array | null;
	/** That secret as stored, to move into second_factor unopened. */
	sealedSecret: Sealed | null;
}

function getCookieName(url: URL): string {
	return url.protocol === 'https:' ? SECURE_NAME : PLAIN_NAME;
}

function getAddressKey(event: PendingEvent, userId: string): string {
	return getSecondFactorKeys(userId, event.getClientAddress()).address;
}

/** Starts the second-factor step for `userId` (an enrolment makes its secret now) and sets the cookie. */
export async function startPendingSignIn(
	event: PendingEvent,
	input: { userId: string; step: PendingStep; via: PendingVia; next: string }
): Promise<void> {
	const token = generateSessionToken();
	const sealed = input.step === 'enrol' ? sealTotpSecret(input.userId, generateTotpSecret()) : null;
	const expiresAt = new Date(Date.now() + LIFETIME_MS);
	await db.delete(pendingSignIn).where(lt(pendingSignIn.expiresAt, new Date()));
	const previous = event.cookies.get(getCookieName(event.url));
	if (previous) await db.delete(pendingSignIn).where(eq(pendingSignIn.id, hashSessionToken(previous)));
	await db.insert(pendingSignIn).values({
		id: hashSessionToken(token),
		...input,
		addressKey: getAddressKey(event, input.userId),
		secretKeyId: sealed?.keyId ?? null,
		secret: sealed?.data ?? null,
		expiresAt
	});
	event.cookies.set(getCookieName(event.url), token, {
		httpOnly: true,
		secure: true,
		sameSite: 'strict',
		path: '/',
		expires: expiresAt
	});
}

/** The browser's pending sign-in, if it has one that is unexpired and from this address. Changes nothing. */
export async function readPendingSignIn(event: PendingEvent): Promise<PendingSignIn | null> {
	const token = event.cookies.get(getCookieName(event.url));
	if (!token) return null;
	const [row] = await db
		.select()
		.from(pendingSignIn)
		.where(and(eq(pendingSignIn.id, hashSessionToken(token)), gt(pendingSignIn.expiresAt, new Date())));
	if (!row || row.addressKey !== getAddressKey(event, row.userId)) return null;
	const sealedSecret = row.secret && row.secretKeyId ? { keyId: row.secretKeyId, data: row.secret } : null;
	return {
		id: row.id,
		userId: row.userId,
		step: row.step,
		via: row.via,
		next: row.next,
		secret: sealedSecret ? openTotpSecret(row.userId, sealedSecret) : null,
		sealedSecret
	};
}

/**
 * Ends the pending sign-in and deletes its cookie. True for exactly one caller: two requests finishing the
 * same one at once cannot both go on to a session.
 */
export async function finishPendingSignIn(event: PendingEvent, pending: Pick<PendingSignIn, 'id'>): Promise<boolean> {
	event.cookies.delete(getCookieName(event.url), { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
	const deleted = await db
		.delete(pendingSignIn)
		.where(eq(pendingSignIn.id, pending.id))
		.returning({ id: pendingSignIn.id });
	return deleted.length === 1;
}
