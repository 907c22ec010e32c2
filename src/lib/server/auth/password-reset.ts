// Password reset links. Someone who cannot sign in asks the practice: an admin (for any other account) or a
// facilitator (for a member of their group) makes a link and hands it over, or Hearth emails it when SMTP is
// configured. The link carries 160 random bits; only their SHA-256 is stored, like a session or an
// invitation. A link works once, for PASSWORD_RESET_MINUTES, and only while it is the account's newest.
//
// Using it sets the password and nothing else: every session of the account ends, pending sign-ins are
// dropped, and nobody is signed in. The person then signs in through the one sign-in path (sign-in.ts),
// so a second factor is still asked for, and an admin or staff account without one enrols first.
import { and, eq, gt, isNull } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { groupMember, passwordReset, pendingSignIn, user, type PracticeRole } from '../db/schema';
import { recordAudit } from '../audit';
import { isMailConfigured, sendPasswordResetEmail } from '../mail';
import { log } from '../log';
import { AccountError, checkNewPassword } from './accounts';
import { hashPassword } from './passwords';
import { generateSessionToken, hashSessionToken, invalidateUserSessions } from './sessions';
import { NOT_FOUND, RecoveryRefusal } from './account-recovery';

/** Short: the link is a password in all but name until it is used. */
export const PASSWORD_RESET_MINUTES = 60;

export interface IssuedPasswordReset {
	link: string;
	/** Whose link it is, for the screen that shows it (never logged or audited). */
	displayName: string;
	expiresAt: Date;
	/** 'sent' when mailed, 'failed' when the SMTP server refused, 'none' when SMTP is not configured. */
	mail: 'sent' | 'failed' | 'none';
}

/** Who is issuing: the practice admin, or a facilitator acting through one of their groups. */
export type PasswordResetIssuer =
	| { kind: 'admin'; actorId: string; actorRole: PracticeRole }
	| { kind: 'facilitator'; actorId: string; groupId: string };

export function buildPasswordResetLink(origin: string, token: string): string {
	return `${origin}/reset/${token}`;
}

async function isActive(tx: Database, groupId: string, userId: string, role: 'facilitator' | 'member') {
	const [row] = await tx
		.select({ id: groupMember.id })
		.from(groupMember)
		.where(
			and(
				eq(groupMember.groupId, groupId),
				eq(groupMember.userId, userId),
				eq(groupMember.role, role),
				eq(groupMember.status, 'active')
			)
		);
	return row !== undefined;
}

/**
 * Checked here, not only by the route's guard: an admin may issue for any account but their own; a
 * facilitator only for an active member of that group whose account is a member's (staff accounts are the
 * admin's to reset). Throws RecoveryRefusal.
 */
async function checkIssuer(tx: Database, issuer: PasswordResetIssuer, target: { id: string; role: PracticeRole }) {
	if (issuer.kind === 'admin') {
		if (issuer.actorRole !== 'admin') throw new RecoveryRefusal('not-found', NOT_FOUND);
		if (issuer.actorId === target.id) {
			throw new RecoveryRefusal('not-allowed', 'Your own password is changed under Account.');
		}
		return;
	}
	if (!(await isActive(tx, issuer.groupId, issuer.actorId, 'facilitator'))) {
		throw new RecoveryRefusal('not-found', NOT_FOUND);
	}
	if (!(await isActive(tx, issuer.groupId, target.id, 'member'))) throw new RecoveryRefusal('not-found', NOT_FOUND);
	if (target.role !== 'member') {
		throw new RecoveryRefusal('not-allowed', 'A staff account’s password can only be reset by the practice admin.');
	}
}

/**
 * Makes a reset link for `userId`; any earlier link of that account stops working. When SMTP is configured
 * the link is also emailed (in words that name nothing). The link is returned once, to be shown once.
 * Audited as `auth.password_reset_issued`. Throws RecoveryRefusal.
 */
export async function issuePasswordReset(input: {
	issuer: PasswordResetIssuer;
	userId: string;
	origin: string;
}): Promise<IssuedPasswordReset> {
	const token = generateSessionToken();
	const expiresAt = new Date(Date.now() + PASSWORD_RESET_MINUTES * 60_000);
	const target = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		// Locking the account serialises two links issued at once: exactly one of them ends up the newest.
		const [target] = await tx
			.select({ id: user.id, role: user.role, email: user.email, displayName: user.displayName })
			.from(user)
			// A deleted account (account-deletion/) is as if it did not exist.
			.where(and(eq(user.id, input.userId), isNull(user.deletedAt)))
			.for('update');
		if (!target) throw new RecoveryRefusal('not-found', NOT_FOUND);
		await checkIssuer(tx, input.issuer, target);
		await tx
			.update(passwordReset)
			.set({ supersededAt: new Date() })
			.where(
				and(eq(passwordReset.userId, target.id), isNull(passwordReset.usedAt), isNull(passwordReset.supersededAt))
			);
		await tx.insert(passwordReset).values({
			id: generateId(),
			userId: target.id,
			tokenHash: hashSessionToken(token),
			createdBy: input.issuer.actorId,
			expiresAt
		});
		await recordAudit(
			{
				action: 'auth.password_reset_issued',
				actorId: input.issuer.actorId,
				objectType: 'user',
				objectId: target.id,
				groupId: input.issuer.kind === 'facilitator' ? input.issuer.groupId : null,
				detail: { by: input.issuer.kind, emailed: isMailConfigured() }
			},
			tx
		);
		return target;
	});
	const link = buildPasswordResetLink(input.origin, token);
	return { link, displayName: target.displayName, expiresAt, mail: await mailLink(target.email, link, target.id) };
}

async function mailLink(to: string, link: string, userId: string): Promise<IssuedPasswordReset['mail']> {
	if (!isMailConfigured()) return 'none';
	try {
		await sendPasswordResetEmail({ to, link, minutes: PASSWORD_RESET_MINUTES });
		return 'sent';
	} catch (error) {
		// Only the error code: an SMTP reply may quote the address, and neither it nor the link may be logged.
		const code = (error as { code?: unknown }).code;
		log.error(
			{ area: 'password-reset', userId, code: typeof code === 'string' ? code : 'unknown' },
			'password reset email failed'
		);
		return 'failed';
	}
}

export type PasswordResetState = 'open' | 'used' | 'expired' | 'superseded' | 'invalid';

const UNUSABLE: Record<Exclude<PasswordResetState, 'open'>, string> = {
	used: 'This link has been used already. Each link works once: ask your practice for a new one if you need it.',
	expired: 'This link has expired. Please ask your practice for a new one.',
	superseded: 'A newer link was made for this account, so this one no longer works. Please use the newest link.',
	invalid: 'This link is not valid. Please check you copied all of it, or ask your practice for a new one.'
};

export function describePasswordResetState(state: Exclude<PasswordResetState, 'open'>): string {
	return UNUSABLE[state];
}

type ResetRow = typeof passwordReset.$inferSelect;

function getState(row: ResetRow | undefined, now = new Date()): PasswordResetState {
	if (!row) return 'invalid';
	if (row.usedAt) return 'used';
	if (row.supersededAt) return 'superseded';
	if (row.expiresAt.getTime() <= now.getTime()) return 'expired';
	return 'open';
}

async function findReset(tx: Database, token: string, lock: boolean): Promise<ResetRow | undefined> {
	if (!/^[a-z2-7]{16,64}$/.test(token)) return undefined;
	const query = tx
		.select()
		.from(passwordReset)
		.where(eq(passwordReset.tokenHash, hashSessionToken(token)));
	const [row] = lock ? await query.for('update') : await query;
	return row;
}

/**
 * What the reset page shows for a token, and whether the account's new password must not be guessable
 * (admin and staff). Changes nothing.
 */
export async function lookUpPasswordReset(
	token: string
): Promise<{ state: 'open'; strongPassword: boolean } | { state: Exclude<PasswordResetState, 'open'> }> {
	const row = await findReset(db, token, false);
	const state = getState(row);
	if (state !== 'open' || !row) return { state: state === 'open' ? 'invalid' : state };
	const [account] = await db.select({ role: user.role }).from(user).where(eq(user.id, row.userId));
	return { state: 'open', strongPassword: account?.role !== 'member' };
}

/** Why a reset did not happen; nothing has changed. `message` is for the person. */
export class PasswordResetError extends Error {
	constructor(
		readonly reason: Exclude<PasswordResetState, 'open'> | 'password',
		message: string
	) {
		super(message);
	}
}

/**
 * Sets a new password with a reset link: uses the link up, ends every session and pending sign-in of the
 * account, and signs nobody in (the second factor is asked at the next sign-in). A password that breaks the
 * rules leaves the link usable. Audited as `auth.password_reset`. Throws PasswordResetError.
 */
export async function completePasswordReset(input: { token: string; password: string }): Promise<void> {
	const userId = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		// The row lock makes a second use of the same link wait, then find used_at set.
		const row = await findReset(tx, input.token, true);
		const state = getState(row);
		if (state !== 'open' || !row) {
			const reason = state === 'open' ? 'invalid' : state;
			throw new PasswordResetError(reason, UNUSABLE[reason]);
		}
		const [account] = await tx
			.select({ role: user.role, email: user.email, displayName: user.displayName })
			.from(user)
			.where(eq(user.id, row.userId));
		let password: string;
		try {
			password = await checkNewPassword(account, input.password);
		} catch (e) {
			if (e instanceof AccountError) throw new PasswordResetError('password', e.message);
			throw e;
		}
		await tx
			.update(user)
			.set({ passwordHash: await hashPassword(password) })
			.where(eq(user.id, row.userId));
		await tx
			.update(passwordReset)
			.set({ usedAt: new Date() })
			.where(and(eq(passwordReset.id, row.id), isNull(passwordReset.usedAt), gt(passwordReset.expiresAt, new Date())));
		await tx.delete(pendingSignIn).where(eq(pendingSignIn.userId, row.userId));
		await recordAudit(
			{ action: 'auth.password_reset', actorId: row.userId, objectType: 'user', objectId: row.userId },
			tx
		);
		return row.userId;
	});
	// After the commit: every device signed in with the old password is signed out, open boards included.
	await invalidateUserSessions(userId);
}
