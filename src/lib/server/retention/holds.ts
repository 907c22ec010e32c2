/*
 * Legal holds and where each group stands. A hold stops the clock: while it is in force nothing is
 * purged, and once lifted the deletion date moves later by the time the group was held after it ended.
 * Holds and the start of a purge take the same row lock (lockRetention), so an admin's hold either lands
 * before a purge begins (and stops it) or is refused because the purge has begun.
 */
import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { db, type Database } from '../db';
import { group, groupRetention, type Group, type GroupRetention } from '../db/schema';
import { checkInput } from '../forms';
import { NotInGroupError } from '../groups/errors';
import { liftHoldForm, setHoldForm } from './forms';
import { RetentionRuleError, getRetentionMonths, requireAdminActor } from './settings';
import { isPurgeNear, purgeDueAt, type RetentionClock } from './policy';

/** The group's retention row, made if missing, locked until the transaction ends; null for no such group. */
export async function lockRetention(tx: Database, groupId: string): Promise<GroupRetention | null> {
	const [exists] = await tx.select({ id: group.id }).from(group).where(eq(group.id, groupId));
	if (!exists) return null;
	await tx.insert(groupRetention).values({ groupId }).onConflictDoNothing();
	const [row] = await tx.select().from(groupRetention).where(eq(groupRetention.groupId, groupId)).for('update');
	return row ?? null;
}

/** The clock of a group as stored: ended when archived (the lifecycle never moves back). */
export function clockOf(
	g: Pick<Group, 'lifecycle' | 'lifecycleChangedAt'>,
	retention: Pick<GroupRetention, 'holdSince' | 'heldMs'> | null
): RetentionClock {
	return {
		endedAt: g.lifecycle === 'archived' ? g.lifecycleChangedAt : null,
		holdSince: retention?.holdSince ?? null,
		heldMs: retention?.heldMs ?? 0
	};
}

/** Sets a legal hold with the admin's reason. Throws NotInGroupError (no such group) or RetentionRuleError. */
export async function setLegalHold(input: { actorId: string; groupId: string; reason: string }): Promise<void> {
	const { reason } = checkInput(setHoldForm, input, (message) => new RetentionRuleError(message));
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		await requireAdminActor(tx, input.actorId);
		const row = await lockRetention(tx, input.groupId);
		if (!row) throw new NotInGroupError();
		if (row.purgeStartedAt)
			throw new RetentionRuleError('This group’s records have already been deleted under the retention policy.');
		if (row.holdSince)
			throw new RetentionRuleError('This group is already on hold. Lift the hold first to set a new one.');
		await tx
			.update(groupRetention)
			.set({ holdSince: new Date(), holdReason: reason, holdSetBy: input.actorId })
			.where(eq(groupRetention.groupId, input.groupId));
		await recordAudit(
			{ action: 'retention.hold_set', actorId: input.actorId, objectType: 'group', objectId: input.groupId },
			tx
		);
	});
}

/** Lifts the hold; the clock runs again from where it stopped. Throws as setLegalHold does. */
export async function liftLegalHold(input: { actorId: string; groupId: string }): Promise<void> {
	checkInput(liftHoldForm, input, (message) => new RetentionRuleError(message));
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		await requireAdminActor(tx, input.actorId);
		const row = await lockRetention(tx, input.groupId);
		if (!row) throw new NotInGroupError();
		if (!row.holdSince) throw new RetentionRuleError('This group is not on hold.');
		const [g] = await tx.select().from(group).where(eq(group.id, input.groupId));
		const now = Date.now();
		// Only time after the group ended stopped the clock; before that it was not running.
		const endedAt = clockOf(g, null).endedAt?.getTime();
		const held = endedAt === undefined ? 0 : Math.max(0, now - Math.max(row.holdSince.getTime(), endedAt));
		await tx
			.update(groupRetention)
			.set({ holdSince: null, holdReason: null, holdSetBy: null, heldMs: sql`${groupRetention.heldMs} + ${held}` })
			.where(eq(groupRetention.groupId, input.groupId));
		await recordAudit(
			{
				action: 'retention.hold_lifted',
				actorId: input.actorId,
				objectType: 'group',
				objectId: input.groupId,
				detail: { held_days: Math.floor(held / 86_400_000) }
			},
			tx
		);
	});
}

export type RetentionStanding =
	| { state: 'running' }
	| { state: 'held'; since: Date; reason: string }
	| { state: 'scheduled'; endedAt: Date; deletesAt: Date }
	| { state: 'deleting' }
	| { state: 'deleted'; on: Date };

function standingOf(g: Group, retention: GroupRetention | null, months: number): RetentionStanding {
	if (retention?.purgedAt) return { state: 'deleted', on: retention.purgedAt };
	if (retention?.purgeStartedAt) return { state: 'deleting' };
	if (retention?.holdSince) return { state: 'held', since: retention.holdSince, reason: retention.holdReason ?? '' };
	const clock = clockOf(g, retention);
	const deletesAt = purgeDueAt(clock, months);
	return clock.endedAt && deletesAt ? { state: 'scheduled', endedAt: clock.endedAt, deletesAt } : { state: 'running' };
}

/** Every group with where it stands, for the admin (names and dates only, never content). */
export async function listRetentionStandings() {
	const months = await getRetentionMonths();
	const rows = await db
		.select({ group, retention: groupRetention })
		.from(group)
		.leftJoin(groupRetention, eq(groupRetention.groupId, group.id))
		.orderBy(asc(group.name), asc(group.createdAt));
	return rows.map(({ group: g, retention }) => ({
		groupId: g.id,
		name: g.name,
		lifecycle: g.lifecycle,
		timeZone: g.timeZone,
		standing: standingOf(g, retention, months)
	}));
}

/**
 * What members are told about their group: how long its board is kept after it ends, and (in the last
 * 30 days, when no hold stops the clock) the date it will be deleted.
 */
export async function getRetentionNotice(groupId: string, now = new Date()) {
	const months = await getRetentionMonths();
	const [row] = await db
		.select({ group, retention: groupRetention })
		.from(group)
		.leftJoin(groupRetention, eq(groupRetention.groupId, group.id))
		.where(eq(group.id, groupId));
	if (!row) return null;
	const clock = clockOf(row.group, row.retention);
	const deletesAt = purgeDueAt(clock, months);
	return {
		months,
		deletesAt: deletesAt && isPurgeNear(clock, months, now) ? deletesAt : null
	};
}

/** When the group's records were deleted (or are being deleted, `deleting`), for the staff's list. */
export async function getPurgeStates(groupIds: string[]): Promise<Map<string, { deletedOn: Date | null }>> {
	if (groupIds.length === 0) return new Map();
	const rows = await db
		.select({ groupId: groupRetention.groupId, started: groupRetention.purgeStartedAt, done: groupRetention.purgedAt })
		.from(groupRetention)
		.where(and(inArray(groupRetention.groupId, groupIds), isNotNull(groupRetention.purgeStartedAt)));
	return new Map(rows.map((row) => [row.groupId, { deletedOn: row.done }]));
}

/** Whether the group's records are being (or have been) deleted: nothing may be written for it any more. */
export async function isPurgeStarted(groupId: string): Promise<boolean> {
	const [row] = await db
		.select({ groupId: groupRetention.groupId })
		.from(groupRetention)
		.where(and(eq(groupRetention.groupId, groupId), isNotNull(groupRetention.purgeStartedAt)));
	return row !== undefined;
}
