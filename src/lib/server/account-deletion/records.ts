/*
 * Account deletion, the database's part. The user row is kept but emptied (never deleted): agreement
 * signatures, memberships, Yjs client-id bindings and the audit log refer to its id, and keeping the id
 * bound to a dead account means no one else can ever write under the person's old client ids. What stays
 * is an id, dates and facts of consent; what goes is everything that names or reaches the person.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import { announceAccessChange } from '../access-events';
import { recordAudit } from '../audit';
import { invalidateUserSessions } from '../auth/sessions';
import { hashPassword } from '../auth/passwords';
import { db, type Database } from '../db';
import {
	agreementSignature,
	calendarFeed,
	groupMember,
	intentionShare,
	invitation,
	memberMute,
	notification,
	notificationSetting,
	passwordReset,
	pendingSignIn,
	recoveryCode,
	secondFactor,
	session,
	user
} from '../db/schema';

/** What the group and the audit pages call the person from now on. */
export const FORMER_MEMBER_NAME = 'A former member';

/** Who started a deletion: the person, a facilitator of one of their groups, or the practice's admin. */
export type DeletionStarter = 'self' | 'facilitator' | 'admin';

/**
 * Ends every session (open sockets close) and every active membership (as "left" when the person asked,
 * "removed" otherwise), so nothing of theirs can be written while their words are purged. Returns the
 * ids of every group they are or were in. Each ended membership is audited in its group.
 */
export async function endAccess(input: { userId: string; actorId: string; by: DeletionStarter }): Promise<string[]> {
	await invalidateUserSessions(input.userId);
	const status = input.by === 'self' ? 'left' : 'removed';
	const { groupIds, ended } = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const rows = await tx
			.select({ id: groupMember.id, groupId: groupMember.groupId, status: groupMember.status, role: groupMember.role })
			.from(groupMember)
			.where(eq(groupMember.userId, input.userId))
			.for('update');
		const active = rows.filter((row) => row.status === 'active');
		if (active.length > 0) {
			await tx
				.update(groupMember)
				.set({ status, endedAt: new Date(), muted: false })
				.where(
					inArray(
						groupMember.id,
						active.map((row) => row.id)
					)
				);
		}
		await tx.delete(memberMute).where(eq(memberMute.userId, input.userId));
		for (const row of active) {
			await recordAudit(
				{
					action: status === 'left' ? 'member.left' : 'member.removed',
					actorId: input.actorId,
					objectType: 'user',
					objectId: input.userId,
					groupId: row.groupId,
					detail: { role: row.role, account_deleted: true }
				},
				tx
			);
		}
		return { groupIds: rows.map((row) => row.groupId), ended: active.map((row) => row.groupId) };
	});
	for (const groupId of ended)
		await announceAccessChange({ kind: 'membership-changed', groupId, userId: input.userId });
	return groupIds;
}

/**
 * Empties the account: no email, name or usable password (a hash of random bytes nobody holds), no second
 * factor, recovery codes, pending sign-ins or notifications; the name typed on each agreement signature is
 * cleared (the signature's agreement, version and time stay: the practice's proof of consent); invitations
 * the person used or that were addressed to them lose the address and the facilitator's note. Audited as
 * `account.deleted` with who started it. Sessions are ended once more in case one began meanwhile.
 */
export async function emptyAccount(input: {
	userId: string;
	actorId: string;
	by: DeletionStarter;
	groupId: string | null;
}): Promise<void> {
	const unusable = await hashPassword(randomBytes(32).toString('base64url'));
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const [account] = await tx
			.select({ email: user.email })
			.from(user)
			.where(and(eq(user.id, input.userId), isNull(user.deletedAt)))
			.for('update');
		if (!account) return;
		await tx
			.update(invitation)
			.set({ email: null, note: null })
			.where(or(eq(invitation.usedBy, input.userId), eq(invitation.email, account.email)));
		await tx.update(agreementSignature).set({ typedName: '' }).where(eq(agreementSignature.userId, input.userId));
		for (const table of [
			session,
			secondFactor,
			recoveryCode,
			pendingSignIn,
			passwordReset,
			notification,
			notificationSetting,
			calendarFeed,
			intentionShare
		]) {
			await tx.delete(table).where(eq(table.userId, input.userId));
		}
		await tx
			.update(user)
			.set({
				email: `deleted-${input.userId}@deleted.invalid`,
				displayName: FORMER_MEMBER_NAME,
				passwordHash: unusable,
				deletedAt: new Date()
			})
			.where(eq(user.id, input.userId));
		await recordAudit(
			{
				action: 'account.deleted',
				actorId: input.actorId,
				objectType: 'user',
				objectId: input.userId,
				groupId: input.groupId,
				detail: { by: input.by }
			},
			tx
		);
	});
	await announceAccessChange({ kind: 'sessions-ended', userId: input.userId });
}
