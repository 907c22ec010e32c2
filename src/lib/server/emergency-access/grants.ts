// Emergency access grants: a clinical lead opening one group's board, read-only, for a fixed time, with a
// reason (docs/emergency-access.md). This module decides who may start one, records it, and answers the
// one question the realtime server asks (getOpenEmergencyGrant); the view itself is the realtime server's
// read-only connection, so nothing here sends board content anywhere.
import { and, desc, eq, gt, isNull, lte } from 'drizzle-orm';
import { announceAccessChange } from '../access-events';
import { recordAudit } from '../audit';
import { confirmPassword } from '../auth/accounts';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { clinicalLead, emergencyAccess, group, groupMember, user } from '../db/schema';
import { checkInput } from '../forms';
import { getGroupAccess } from '../groups/access';
import { EmergencyAccessError, EmergencyAccessHidden } from './errors';
import { EMERGENCY_ACCESS_MINUTES, emergencyReason } from './forms';
import { isClinicalLead } from './leads';
import { notifyEmergencyAccess } from './notify';

export interface OpenGrant {
	id: string;
	endsAt: Date;
}

/**
 * The lead's open grant for this group, or null: not ended, not past its end, and its holder still a
 * clinical lead on a staff account. Read on every socket admission and recheck, so ending a grant or
 * taking the mark away closes the view.
 */
export async function getOpenEmergencyGrant(userId: string, groupId: string): Promise<OpenGrant | null> {
	const [row] = await db
		.select({ id: emergencyAccess.id, endsAt: emergencyAccess.endsAt })
		.from(emergencyAccess)
		.innerJoin(clinicalLead, eq(clinicalLead.userId, emergencyAccess.leadId))
		.innerJoin(user, eq(user.id, emergencyAccess.leadId))
		.where(
			and(
				eq(emergencyAccess.leadId, userId),
				eq(emergencyAccess.groupId, groupId),
				isNull(emergencyAccess.endedAt),
				gt(emergencyAccess.endsAt, new Date()),
				eq(user.role, 'staff'),
				isNull(user.deletedAt)
			)
		);
	return row ?? null;
}

/**
 * Starts emergency access: checks the reason (emergencyReason), that the person is a clinical lead
 * (EmergencyAccessHidden otherwise, as for a group that is not there), that they are not already in the
 * group, and their password (AccountError when wrong). Records the grant and `emergency_access.started`
 * together, then notifies the group's facilitators. The reason stays in the grant row, never in the log.
 */
export async function startEmergencyAccess(input: {
	leadId: string;
	groupId: string;
	reason: string;
	password: string;
	address: string;
	/** The app's origin, for the link in the facilitators' email. */
	origin: string | null;
}): Promise<OpenGrant> {
	const reason = checkInput(emergencyReason, input.reason, (message) => new EmergencyAccessError(message));
	if (!(await isClinicalLead(input.leadId))) throw new EmergencyAccessHidden();
	const [found] = await db.select({ id: group.id }).from(group).where(eq(group.id, input.groupId));
	if (!found) throw new EmergencyAccessHidden();
	const standing = await getGroupAccess(input.leadId, input.groupId);
	if (standing) {
		throw new EmergencyAccessError(
			standing.role === 'facilitator'
				? 'You facilitate this group, so you can open its board as usual.'
				: 'You are in this group, so you can open its board as usual.'
		);
	}
	await confirmPassword({
		userId: input.leadId,
		password: input.password,
		address: input.address,
		via: 'emergency_access'
	});
	const grant = await db.transaction(async (tx) => {
		// One start at a time per lead (a double click, two tabs), and none while the mark is being taken away.
		const [stillLead] = await tx
			.select({ userId: clinicalLead.userId })
			.from(clinicalLead)
			.where(eq(clinicalLead.userId, input.leadId))
			.for('update');
		if (!stillLead) throw new EmergencyAccessHidden();
		const now = new Date();
		// A grant that ran out is closed at its end, so it no longer counts as the open one.
		await tx
			.update(emergencyAccess)
			.set({ endedAt: emergencyAccess.endsAt })
			.where(
				and(
					eq(emergencyAccess.leadId, input.leadId),
					eq(emergencyAccess.groupId, input.groupId),
					isNull(emergencyAccess.endedAt),
					lte(emergencyAccess.endsAt, now)
				)
			);
		const [open] = await tx
			.select({ id: emergencyAccess.id })
			.from(emergencyAccess)
			.where(
				and(
					eq(emergencyAccess.leadId, input.leadId),
					eq(emergencyAccess.groupId, input.groupId),
					isNull(emergencyAccess.endedAt)
				)
			);
		if (open) throw new EmergencyAccessError('You already have this board open. Use the link to view it.');
		const row = {
			id: generateId(),
			leadId: input.leadId,
			groupId: input.groupId,
			reason,
			startedAt: now,
			endsAt: new Date(now.getTime() + EMERGENCY_ACCESS_MINUTES * 60_000)
		};
		await tx.insert(emergencyAccess).values(row);
		await recordAudit(
			{
				action: 'emergency_access.started',
				actorId: input.leadId,
				objectType: 'group',
				objectId: input.groupId,
				groupId: input.groupId,
				detail: { grant: row.id, minutes: EMERGENCY_ACCESS_MINUTES }
			},
			tx
		);
		return { id: row.id, endsAt: row.endsAt };
	});
	await notifyEmergencyAccess({ groupId: input.groupId, grantId: grant.id, leadId: input.leadId }, input.origin);
	return grant;
}

/**
 * The lead ends their own open grant early (audited); their open views close at once, in every process.
 * Throws EmergencyAccessError when it is not theirs or has already ended.
 */
export async function endEmergencyAccess(input: { leadId: string; grantId: string }): Promise<void> {
	const now = new Date();
	const ended = await db.transaction(async (tx) => {
		const [row] = await tx
			.update(emergencyAccess)
			.set({ endedAt: now })
			.where(
				and(
					eq(emergencyAccess.id, input.grantId),
					eq(emergencyAccess.leadId, input.leadId),
					isNull(emergencyAccess.endedAt),
					gt(emergencyAccess.endsAt, now)
				)
			)
			.returning({ groupId: emergencyAccess.groupId });
		if (!row) return null;
		await recordAudit(
			{
				action: 'emergency_access.ended',
				actorId: input.leadId,
				objectType: 'group',
				objectId: row.groupId,
				groupId: row.groupId,
				detail: { grant: input.grantId }
			},
			tx
		);
		return row;
	});
	if (!ended) throw new EmergencyAccessError('This emergency access has already ended.');
	await announceAccessChange({ kind: 'membership-changed', groupId: ended.groupId, userId: input.leadId });
}

/**
 * Ends every open grant of a person the admin no longer marks as a clinical lead, inside the admin's
 * transaction, each recorded as ended by the admin. Returns the groups whose views the caller must
 * close once the transaction has committed.
 */
export async function endOpenGrantsOf(leadId: string, adminId: string, tx: Database): Promise<string[]> {
	const now = new Date();
	const rows = await tx
		.update(emergencyAccess)
		.set({ endedAt: now })
		.where(and(eq(emergencyAccess.leadId, leadId), isNull(emergencyAccess.endedAt), gt(emergencyAccess.endsAt, now)))
		.returning({ id: emergencyAccess.id, groupId: emergencyAccess.groupId });
	for (const row of rows) {
		await recordAudit(
			{
				action: 'emergency_access.ended',
				actorId: adminId,
				objectType: 'group',
				objectId: row.groupId,
				groupId: row.groupId,
				detail: { grant: row.id, because: 'no_longer_a_clinical_lead' }
			},
			tx
		);
	}
	return rows.map((row) => row.groupId);
}

/** Closes a former lead's emergency views of these groups (after the change that ended them has committed). */
export async function closeEmergencyViews(leadId: string, groupIds: string[]): Promise<void> {
	await Promise.all(
		groupIds.map((groupId) => announceAccessChange({ kind: 'membership-changed', groupId, userId: leadId }))
	);
}

/**
 * The groups a clinical lead could open in an emergency (those they are not in), each with their open
 * grant if any. Names only: nothing of any board. Throws EmergencyAccessHidden for anyone else.
 */
export async function listEmergencyGroups(leadId: string) {
	if (!(await isClinicalLead(leadId))) throw new EmergencyAccessHidden();
	const now = new Date();
	const [groups, theirs, open] = await Promise.all([
		db
			.select({ id: group.id, name: group.name, lifecycle: group.lifecycle, timeZone: group.timeZone })
			.from(group)
			.orderBy(group.name),
		db
			.select({ groupId: groupMember.groupId })
			.from(groupMember)
			.where(and(eq(groupMember.userId, leadId), eq(groupMember.status, 'active'))),
		db
			.select({ id: emergencyAccess.id, groupId: emergencyAccess.groupId, endsAt: emergencyAccess.endsAt })
			.from(emergencyAccess)
			.where(and(eq(emergencyAccess.leadId, leadId), isNull(emergencyAccess.endedAt), gt(emergencyAccess.endsAt, now)))
	]);
	const mine = new Set(theirs.map((row) => row.groupId));
	return groups
		.filter((row) => !mine.has(row.id))
		.map((row) => ({ ...row, grant: open.find((grant) => grant.groupId === row.id) ?? null }));
}

export type GrantState = 'open' | 'ended early' | 'ran out';

/** A group's emergency openings, newest first, for its facilitators: who, why, when, until. */
export async function listGroupEmergencyAccess(groupId: string, limit = 20) {
	const rows = await db
		.select({
			id: emergencyAccess.id,
			lead: user.displayName,
			reason: emergencyAccess.reason,
			startedAt: emergencyAccess.startedAt,
			endsAt: emergencyAccess.endsAt,
			endedAt: emergencyAccess.endedAt
		})
		.from(emergencyAccess)
		.innerJoin(user, eq(user.id, emergencyAccess.leadId))
		.where(eq(emergencyAccess.groupId, groupId))
		.orderBy(desc(emergencyAccess.startedAt))
		.limit(limit);
	const now = Date.now();
	return rows.map((row) => {
		const state: GrantState =
			row.endedAt && row.endedAt < row.endsAt
				? 'ended early'
				: row.endedAt || row.endsAt.getTime() <= now
					? 'ran out'
					: 'open';
		return { ...row, state, until: row.endedAt && row.endedAt < row.endsAt ? row.endedAt : row.endsAt };
	});
}

/**
 * Records one emergency view of a group's board (`emergency_access.viewed`, with the grant's id). The
 * realtime server calls it when it admits the socket, before any byte of the board is sent.
 */
export async function recordEmergencyView(userId: string, groupId: string, grantId: string): Promise<void> {
	await recordAudit({
		action: 'emergency_access.viewed',
		actorId: userId,
		objectType: 'group',
		objectId: groupId,
		groupId,
		detail: { grant: grantId }
	});
}
