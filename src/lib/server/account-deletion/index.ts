/*
 * Deleting a member's account (docs/deletion.md): the person themselves, a facilitator of a group they
 * are or were a member of, or the practice's admin starts it, always after proving their own password
 * again (the sign-in limits apply). Then, in this order, so that nothing of theirs can be written while
 * it runs and a failure part-way can simply be run again:
 *
 *   1. access ends: every session (open sockets close at once) and every active membership;
 *   2. their words leave every document they could have written to, and storage (purge.ts);
 *   3. the account is emptied and the deletion audited (records.ts).
 *
 * Staff and admin accounts are not deleted here: their notes are the practice's clinical record.
 */
import { and, eq } from 'drizzle-orm';
import { AccountError, confirmPassword } from '../auth/accounts';
import { db } from '../db';
import { groupMember, user } from '../db/schema';
import { NotInGroupError } from '../groups/errors';
import { requireFacilitatorAccess } from '../moderation/posts';
import { purgeGroupDocuments, purgeJournal } from './purge';
import { emptyAccount, endAccess, type DeletionStarter } from './records';

export { FORMER_MEMBER_NAME, type DeletionStarter } from './records';
export { DEPARTED_ROUND_PROMPT } from './purge';
export { deleteAccountForm } from './forms';

/**
 * A refusal the person can act on (the message is written for them): a wrong password or a paused attempt
 * (from `confirmPassword`, `paused` set), an account already deleted, a staff or admin account.
 */
export { AccountError as AccountDeletionError } from '../auth/accounts';

async function readAccount(userId: string) {
	const [account] = await db
		.select({ id: user.id, role: user.role, displayName: user.displayName, deletedAt: user.deletedAt })
		.from(user)
		.where(eq(user.id, userId));
	return account ?? null;
}

async function carryOut(input: {
	userId: string;
	actorId: string;
	by: DeletionStarter;
	groupId: string | null;
}): Promise<void> {
	const groupIds = await endAccess(input);
	const purge = { userId: input.userId, actorId: input.actorId, at: Date.now() };
	for (const groupId of groupIds) await purgeGroupDocuments(groupId, purge);
	await purgeJournal(input.userId);
	await emptyAccount(input);
}

/**
 * The signed-in person deletes their own account, after their password. Throws AccountDeletionError for a
 * wrong password, a paused attempt, or a staff or admin account.
 */
export async function deleteOwnAccount(input: { userId: string; password: string; address: string }): Promise<void> {
	const account = await readAccount(input.userId);
	if (!account || account.deletedAt) throw new AccountError('This account has already been deleted.');
	if (account.role !== 'member') {
		throw new AccountError(
			'Staff and admin accounts hold the practice’s clinical notes, so they are closed by the practice, not here. Please speak to your practice’s admin.'
		);
	}
	await confirmPassword({ ...input, via: 'account_deletion' });
	await carryOut({ userId: input.userId, actorId: input.userId, by: 'self', groupId: null });
}

/**
 * Whom a facilitator (of `groupId`) or the admin may delete: a member account, not yet deleted, that is
 * or was a member of that group (for the admin, any member account). Throws NotInGroupError otherwise,
 * which routes answer with the same 404 as an id that does not exist.
 */
export async function getDeletableMember(input: { actorId: string; userId: string; groupId: string | null }) {
	const [actor, target] = await Promise.all([readAccount(input.actorId), readAccount(input.userId)]);
	if (!actor || !target || target.deletedAt || target.role !== 'member' || actor.id === target.id) {
		throw new NotInGroupError();
	}
	if (actor.role === 'admin' && input.groupId === null) return { userId: target.id, displayName: target.displayName };
	if (input.groupId === null) throw new NotInGroupError();
	await requireFacilitatorAccess(input.groupId, input.actorId);
	const [membership] = await db
		.select({ status: groupMember.status })
		.from(groupMember)
		.where(
			and(eq(groupMember.groupId, input.groupId), eq(groupMember.userId, input.userId), eq(groupMember.role, 'member'))
		);
	if (!membership) throw new NotInGroupError();
	return { userId: target.id, displayName: target.displayName, status: membership.status };
}

/**
 * A facilitator of one of the member's groups (`groupId`), or the admin (`groupId: null`), deletes a
 * member's account after their own password; the same deletion as the member's own. Throws NotInGroupError
 * when the actor may not, AccountDeletionError for a wrong password or a paused attempt.
 */
export async function deleteMemberAccount(input: {
	actorId: string;
	userId: string;
	groupId: string | null;
	password: string;
	address: string;
}): Promise<void> {
	await getDeletableMember(input);
	await confirmPassword({
		userId: input.actorId,
		password: input.password,
		address: input.address,
		via: 'account_deletion'
	});
	await carryOut({
		userId: input.userId,
		actorId: input.actorId,
		by: input.groupId === null ? 'admin' : 'facilitator',
		groupId: input.groupId
	});
}
