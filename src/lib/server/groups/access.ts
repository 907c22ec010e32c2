// Who may see and write in a group. This is the one place that decides it: pages call the guards
// below, the realtime server calls getGroupAccess on connect and whenever an access change is
// announced. Everything is read from the database on each call, so a removal or a mute takes effect
// on the very next request or message.
import { redirect } from '@sveltejs/kit';
import { and, eq, sql } from 'drizzle-orm';
import { db } from '../db';
import { arrayParam } from '../db/batched';
import {
	agreement,
	agreementSignature,
	group,
	groupMember,
	groupRetention,
	type AgreementKind,
	type FacilitatorKind,
	type GroupLifecycle
} from '../db/schema';
import { refuse, requireUser } from '../auth/guards';
import type { SessionUser } from '../auth/sessions';

export type GroupRole = 'facilitator' | 'member';

export interface GroupAccess {
	groupId: string;
	userId: string;
	/** facilitator = the group's therapist(s)/medical provider; member includes alumni. */
	role: GroupRole;
	lifecycle: GroupLifecycle;
	muted: boolean;
	/** False when muted, when the group is archived, or the member has not (re)signed the current agreement. */
	canWrite: boolean;
	/** A member who has not signed the agreement version in force (facilitators never need to). */
	needsSignature: boolean;
}

/** GroupAccess plus what the pages need to steer a member to the agreement. */
export interface GroupStanding extends GroupAccess {
	facilitatorKind: FacilitatorKind | null;
	agreementKind: AgreementKind | null;
}

/**
 * Full standing of an active membership, or null (never a member, removed, left, no such group, or its
 * records deleted under the retention policy).
 */
export async function getGroupStanding(userId: string, groupId: string): Promise<GroupStanding | null> {
	const [standing] = await getGroupStandings([{ userId, groupId }]);
	return standing;
}

export type Membership = { userId: string; groupId: string };

/** getGroupStanding for many people and groups at once (a burst of sockets): one query. */
export async function getGroupStandings(keys: readonly Membership[]): Promise<(GroupStanding | null)[]> {
	const rows = await db
		.select({
			userId: groupMember.userId,
			groupId: groupMember.groupId,
			role: groupMember.role,
			muted: groupMember.muted,
			facilitatorKind: groupMember.facilitatorKind,
			lifecycle: group.lifecycle,
			agreementKind: sql<AgreementKind | null>`(
				select a.kind from ${agreement} a where a.group_id = ${group.id} order by a.version desc limit 1
			)`,
			signedCurrent: sql<boolean>`exists (
				select 1 from ${agreementSignature} s
				where s.user_id = ${groupMember.userId}
				and s.agreement_id = (
					select a.id from ${agreement} a where a.group_id = ${group.id} order by a.version desc limit 1
				)
			)`
		})
		.from(groupMember)
		.innerJoin(group, eq(group.id, groupMember.groupId))
		.where(
			and(
				sql`(${groupMember.userId}, ${groupMember.groupId}) in (select * from unnest(${arrayParam(
					keys.map((key) => key.userId),
					'text'
				)}, ${arrayParam(
					keys.map((key) => key.groupId),
					'text'
				)}))`,
				eq(groupMember.status, 'active'),
				// Once the retention purge has begun, nobody opens anything of the group (retention/purge.ts).
				sql`not exists (
					select 1 from ${groupRetention} r where r.group_id = ${group.id} and r.purge_started_at is not null
				)`
			)
		);
	const found = new Map(rows.map((row) => [membershipKey(row), row]));
	return keys.map(({ userId, groupId }) => {
		const row = found.get(membershipKey({ userId, groupId }));
		if (!row) return null;
		const needsSignature = row.role === 'member' && !row.signedCurrent;
		return {
			groupId,
			userId,
			role: row.role,
			lifecycle: row.lifecycle,
			muted: row.muted,
			canWrite: !row.muted && row.lifecycle !== 'archived' && !needsSignature,
			facilitatorKind: row.facilitatorKind,
			needsSignature,
			agreementKind: row.agreementKind
		};
	});
}

const membershipKey = ({ userId, groupId }: Membership) => `${groupId} ${userId}`;

/**
 * The user's access to the group, or null when they may not see it at all (never a member, invited but
 * not signed, removed, left, no such group). Callers must treat null exactly like a group that does
 * not exist.
 */
export async function getGroupAccess(userId: string, groupId: string): Promise<GroupAccess | null> {
	const [access] = await getGroupAccesses([{ userId, groupId }]);
	return access;
}

/** getGroupAccess for many people and groups at once: one query. */
export async function getGroupAccesses(keys: readonly Membership[]): Promise<(GroupAccess | null)[]> {
	return (await getGroupStandings(keys)).map((standing) => {
		if (!standing) return null;
		const { groupId, userId, role, lifecycle, muted, canWrite, needsSignature } = standing;
		return { groupId, userId, role, lifecycle, muted, canWrite, needsSignature };
	});
}

/** The user ids of the group's active facilitators (therapists and medical providers). */
export async function listFacilitatorIds(groupId: string): Promise<string[]> {
	const rows = await db
		.select({ userId: groupMember.userId })
		.from(groupMember)
		.where(
			and(eq(groupMember.groupId, groupId), eq(groupMember.role, 'facilitator'), eq(groupMember.status, 'active'))
		);
	return rows.map((row) => row.userId);
}

type GroupEvent = { locals: App.Locals; url: URL; request?: Request };

export interface GroupGuardResult {
	user: SessionUser;
	access: GroupStanding;
}

/**
 * The signed-in member (or facilitator) of the group; 404 for everyone else, exactly as for a group
 * that does not exist. A member who still has to sign the agreement in force is sent to sign it,
 * unless the page is where that happens (`allowUnsigned`).
 */
export async function requireGroupMember(
	event: GroupEvent,
	groupId: string,
	options: { allowUnsigned?: boolean } = {}
): Promise<GroupGuardResult> {
	const user = requireUser(event);
	const access = await getGroupStanding(user.id, groupId);
	if (!access) return refuse(event, user, groupId);
	if (access.needsSignature && !options.allowUnsigned) redirect(303, `/groups/${groupId}/agreement`);
	return { user, access };
}

/** A facilitator of this group; 404 for everyone else, members of the group included. */
export async function requireFacilitator(event: GroupEvent, groupId: string): Promise<GroupGuardResult> {
	const user = requireUser(event);
	const access = await getGroupStanding(user.id, groupId);
	if (!access || access.role !== 'facilitator') return refuse(event, user, groupId);
	return { user, access };
}
