// Cool-off after a journey, on the server: the group's setting, the windows it gives (from the schedule's
// journey sessions, $lib/board/cool-off.ts), and what facilitators may know of held posts — how many, never
// their words. The realtime server hands the windows to the change policy with each member's grant, and
// every change to the setting or the schedule is announced as a group change, so open connections take
// the new windows at once. docs/cool-off.md.
import { and, asc, eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { COOL_OFF_CHOICES, countHeldPosts, planCoolOff, type CoolOffWindow } from '$lib/board/cool-off';
import { journalDocumentName } from '$lib/board/document-names';
import { announceAccessChange } from '../access-events';
import { withDocument } from '../archive/read';
import { recordAudit } from '../audit';
import { db, type Database } from '../db';
import { arrayParam } from '../db/batched';
import { group, groupMember, programSession } from '../db/schema';
import { checkInput } from '../forms';
import { GroupRuleError, NotInGroupError } from '../groups/errors';

export type CoolOff = { hours: number; windows: CoolOffWindow[] };

const HOURS_MESSAGE = 'Please choose how long the cool-off lasts.';

/** The form's choice of hours ("0" is off), read as a number. */
export const coolOffHours = v.pipe(
	v.picklist(
		COOL_OFF_CHOICES.map((hours) => String(hours)),
		HOURS_MESSAGE
	),
	v.transform(Number)
);
export const coolOffForm = v.object({ hours: coolOffHours });

/** The group's cool-off hours and the windows they give after each journey session (none when off). */
export async function getCoolOff(groupId: string, tx: Database = db): Promise<CoolOff> {
	const [coolOff] = await getCoolOffs([groupId], tx);
	return coolOff;
}

/** getCoolOff for many groups at once (a burst of sockets): two queries. */
export async function getCoolOffs(groupIds: readonly string[], tx: Database = db): Promise<CoolOff[]> {
	const ids = [...new Set(groupIds)];
	const groups = await tx
		.select({ id: group.id, hours: group.coolOffHours })
		.from(group)
		.where(sql`${group.id} = any(${arrayParam(ids, 'text')})`);
	const hoursOf = new Map(groups.map((row) => [row.id, row.hours]));
	const withCoolOff = ids.filter((id) => (hoursOf.get(id) ?? 0) > 0);
	const journeys =
		withCoolOff.length === 0
			? []
			: await tx
					.select({ groupId: programSession.groupId, startsAt: programSession.startsAt })
					.from(programSession)
					.where(
						and(
							sql`${programSession.groupId} = any(${arrayParam(withCoolOff, 'text')})`,
							eq(programSession.kind, 'journey')
						)
					);
	const journeysOf = Map.groupBy(journeys, (journey) => journey.groupId);
	return groupIds.map((id) => {
		const hours = hoursOf.get(id) ?? 0;
		if (hours === 0) return { hours, windows: [] };
		const starts = (journeysOf.get(id) ?? []).map((journey) => journey.startsAt.getTime());
		return { hours, windows: planCoolOff(starts, hours) };
	});
}

/** Changes the group's cool-off (audited) and tells open connections. Archived groups keep theirs. */
export async function setCoolOffHours(input: { groupId: string; actorId: string; hours: unknown }): Promise<void> {
	const hours = checkInput(coolOffHours, String(input.hours), (message) => new GroupRuleError(message));
	const changed = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const [row] = await tx
			.select({ hours: group.coolOffHours, lifecycle: group.lifecycle })
			.from(group)
			.where(eq(group.id, input.groupId))
			.for('update');
		if (!row) throw new NotInGroupError();
		if (row.lifecycle === 'archived')
			throw new GroupRuleError('This group is archived; its settings can no longer change.');
		if (row.hours === hours) return false;
		await tx.update(group).set({ coolOffHours: hours }).where(eq(group.id, input.groupId));
		await recordAudit(
			{
				action: 'group.cool_off_changed',
				actorId: input.actorId,
				objectType: 'group',
				objectId: input.groupId,
				groupId: input.groupId,
				detail: { from: row.hours, to: hours }
			},
			tx
		);
		return true;
	});
	if (changed) await announceAccessChange({ kind: 'group-changed', groupId: input.groupId });
}

/**
 * How many posts each active member holds for the group in their journal. The server reads the journals
 * for this and returns counts only: the words stay where their author can see them.
 */
export async function countWaitingPosts(groupId: string): Promise<{ userId: string; count: number }[]> {
	const members = await db
		.select({ userId: groupMember.userId })
		.from(groupMember)
		.where(and(eq(groupMember.groupId, groupId), eq(groupMember.role, 'member'), eq(groupMember.status, 'active')))
		.orderBy(asc(groupMember.joinedAt));
	const counts: { userId: string; count: number }[] = [];
	for (const { userId } of members) {
		const count = await withDocument(journalDocumentName(userId), (doc) => countHeldPosts(doc, groupId));
		if (count > 0) counts.push({ userId, count });
	}
	return counts;
}
