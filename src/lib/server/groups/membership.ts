import { and, asc, count, eq, isNotNull, ne, sql } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { group, groupMember, user, type FacilitatorKind, type MembershipStatus } from '../db/schema';
import { recordAudit, type AuditAction } from '../audit';
import { announceAccessChange } from '../access-events';
import { getCurrentAgreement, listLatestSignedVersions } from './agreements';
import { checkInput } from '../forms';
import { addFacilitatorForm } from './forms';
import { GroupRuleError, NotInGroupError } from './errors';

export type MemberState = 'joined' | 'signed' | 'muted' | 'alumni' | 'removed' | 'left';

export const MEMBER_STATE_LABELS: Record<MemberState, string> = {
	joined: 'Joined — agreement to sign',
	signed: 'Agreement signed',
	muted: 'Muted (read-only)',
	alumni: 'Alumni',
	removed: 'Removed',
	left: 'Left'
};

export const FACILITATOR_KIND_LABELS: Record<FacilitatorKind, string> = {
	therapist: 'Therapist',
	medical_provider: 'Medical provider'
};

/** Everyone who is or was in the group, with the state facilitators need to see. */
export async function listMembers(groupId: string) {
	const [rows, current, signed] = await Promise.all([
		db
			.select({
				userId: groupMember.userId,
				displayName: user.displayName,
				role: groupMember.role,
				facilitatorKind: groupMember.facilitatorKind,
				status: groupMember.status,
				muted: groupMember.muted,
				lifecycle: group.lifecycle,
				accountDeleted: isNotNull(user.deletedAt)
			})
			.from(groupMember)
			.innerJoin(user, eq(user.id, groupMember.userId))
			.innerJoin(group, eq(group.id, groupMember.groupId))
			.where(eq(groupMember.groupId, groupId))
			.orderBy(asc(groupMember.joinedAt)),
		getCurrentAgreement(groupId),
		listLatestSignedVersions(groupId)
	]);
	return rows.map((row) => {
		const signedVersion = signed.get(row.userId) ?? null;
		const signedCurrent = current !== null && signedVersion === current.version;
		let state: MemberState;
		if (row.status !== 'active') state = row.status;
		else if (!signedCurrent) state = 'joined';
		else if (row.muted) state = 'muted';
		else if (row.lifecycle === 'alumni' || row.lifecycle === 'archived') state = 'alumni';
		else state = 'signed';
		return {
			userId: row.userId,
			displayName: row.displayName,
			role: row.role,
			facilitatorLabel: row.facilitatorKind ? FACILITATOR_KIND_LABELS[row.facilitatorKind] : null,
			active: row.status === 'active',
			muted: row.muted,
			accountDeleted: row.accountDeleted,
			state,
			stateLabel: MEMBER_STATE_LABELS[state],
			signedVersion
		};
	});
}

/** Members (not facilitators) currently holding a place, for the capacity check. */
export async function countActiveMembers(tx: Database, groupId: string): Promise<number> {
	const [row] = await tx
		.select({ value: count() })
		.from(groupMember)
		.where(and(eq(groupMember.groupId, groupId), eq(groupMember.role, 'member'), eq(groupMember.status, 'active')));
	return row.value;
}

async function lockActiveMembership(tx: Database, groupId: string, userId: string) {
	const [row] = await tx
		.select()
		.from(groupMember)
		.where(and(eq(groupMember.groupId, groupId), eq(groupMember.userId, userId), eq(groupMember.status, 'active')))
		.for('update');
	return row ?? null;
}

async function countOtherFacilitators(tx: Database, groupId: string, userId: string): Promise<number> {
	const [row] = await tx
		.select({ value: count() })
		.from(groupMember)
		.where(
			and(
				eq(groupMember.groupId, groupId),
				eq(groupMember.role, 'facilitator'),
				eq(groupMember.status, 'active'),
				ne(groupMember.userId, userId)
			)
		);
	return row.value;
}

/** Mutes (read-only) or unmutes a member. The target must be an active member of this group. */
export async function setMemberMuted(input: {
	groupId: string;
	actorId: string;
	userId: string;
	muted: boolean;
}): Promise<void> {
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const target = await lockActiveMembership(tx, input.groupId, input.userId);
		if (!target) throw new NotInGroupError();
		if (target.role !== 'member') throw new GroupRuleError('Facilitators cannot be muted.');
		if (target.muted === input.muted) return;
		await tx.update(groupMember).set({ muted: input.muted }).where(eq(groupMember.id, target.id));
		await recordAudit(
			{
				action: input.muted ? 'member.muted' : 'member.unmuted',
				actorId: input.actorId,
				objectType: 'user',
				objectId: input.userId,
				groupId: input.groupId
			},
			tx
		);
	});
	await announceAccessChange({ kind: 'membership-changed', groupId: input.groupId, userId: input.userId });
}

async function endMembership(
	input: { groupId: string; actorId: string; userId: string },
	status: Exclude<MembershipStatus, 'active'>,
	actions: AuditAction[]
): Promise<void> {
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const target = await lockActiveMembership(tx, input.groupId, input.userId);
		if (!target) throw new NotInGroupError();
		if (target.role === 'facilitator') {
			// Lock the group row so two facilitators cannot both leave at once and strand the group.
			await tx.select({ id: group.id }).from(group).where(eq(group.id, input.groupId)).for('update');
			if ((await countOtherFacilitators(tx, input.groupId, input.userId)) === 0) {
				throw new GroupRuleError('A group always needs a facilitator. Add another facilitator first.');
			}
		}
		await tx.update(groupMember).set({ status, endedAt: new Date() }).where(eq(groupMember.id, target.id));
		for (const action of actions) {
			await recordAudit(
				{
					action,
					actorId: input.actorId,
					objectType: 'user',
					objectId: input.userId,
					groupId: input.groupId,
					detail: { role: target.role }
				},
				tx
			);
		}
	});
	await announceAccessChange({ kind: 'membership-changed', groupId: input.groupId, userId: input.userId });
}

/** A facilitator removes someone: their access ends with this call, open connections included. */
export async function removeMember(input: { groupId: string; actorId: string; userId: string }): Promise<void> {
	if (input.actorId === input.userId)
		throw new GroupRuleError('To step out of the group yourself, use "Leave this group".');
	await endMembership(input, 'removed', ['member.removed']);
}

export async function leaveGroup(input: { groupId: string; userId: string }): Promise<void> {
	await endMembership({ ...input, actorId: input.userId }, 'left', ['member.left']);
}

/** A member declines the agreement in force (for instance the alumni re-consent) and so leaves. */
export async function declineAgreement(input: { groupId: string; userId: string }): Promise<void> {
	await endMembership({ ...input, actorId: input.userId }, 'left', ['agreement.declined', 'member.left']);
}

/**
 * Staff who could be added as co-facilitators: practice staff not already active in the group. Never the
 * practice admin: the admin runs the practice and sees no group's content.
 */
export async function listAddableStaff(groupId: string) {
	const active = db
		.select({ userId: groupMember.userId })
		.from(groupMember)
		.where(and(eq(groupMember.groupId, groupId), eq(groupMember.status, 'active')));
	return db
		.select({ id: user.id, displayName: user.displayName })
		.from(user)
		.where(and(eq(user.role, 'staff'), sql`${user.id} not in ${active}`))
		.orderBy(asc(user.displayName));
}

/** Adds a staff member as co-facilitator, labelled therapist or medical provider. */
export async function addFacilitator(input: {
	groupId: string;
	actorId: string;
	userId: string;
	kind: string;
}): Promise<void> {
	const kind = checkInput(addFacilitatorForm.entries.kind, input.kind, (message) => new GroupRuleError(message));
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const [staff] = await tx
			.select({ id: user.id })
			.from(user)
			.where(and(eq(user.id, input.userId), eq(user.role, 'staff')));
		if (!staff) throw new GroupRuleError('Please choose someone from your practice’s staff.');
		const [locked] = await tx
			.select({ lifecycle: group.lifecycle })
			.from(group)
			.where(eq(group.id, input.groupId))
			.for('update');
		if (!locked) throw new NotInGroupError();
		if (await lockActiveMembership(tx, input.groupId, input.userId)) {
			throw new GroupRuleError('They are already part of this group.');
		}
		await tx
			.insert(groupMember)
			.values({
				id: generateId(),
				groupId: input.groupId,
				userId: input.userId,
				role: 'facilitator',
				facilitatorKind: kind
			})
			.onConflictDoUpdate({
				target: [groupMember.groupId, groupMember.userId],
				set: {
					role: 'facilitator',
					facilitatorKind: kind,
					status: 'active',
					muted: false,
					joinedAt: new Date(),
					endedAt: null
				}
			});
		await recordAudit(
			{
				action: 'facilitator.added',
				actorId: input.actorId,
				objectType: 'user',
				objectId: input.userId,
				groupId: input.groupId,
				detail: { kind }
			},
			tx
		);
	});
	await announceAccessChange({ kind: 'membership-changed', groupId: input.groupId, userId: input.userId });
}
