import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { db } from '../db';
import { auditEvent, groupMember } from '../db/schema';
import { presentAuditEvents } from './present';

/** What a member is told someone did with their data. */
const DESCRIPTIONS = {
	'care.viewed': 'opened your private messages with your facilitators',
	'group.exported': "exported the group's record, which holds what you shared with the group",
	'emergency_access.viewed': "opened the group's board in an emergency, as a clinical lead (read-only)"
} as const;

export interface DataAccess {
	id: number;
	/** When it happened; for repeats, the latest time. */
	at: string;
	who: string;
	what: string;
	group: string | null;
	/** How many times in a row (see REPEAT_WINDOW_MS), and the first of them when more than once. */
	times: number;
	since: string | null;
}

/** The same person doing the same thing again within this time counts as one look (a second device, a reload). */
const REPEAT_WINDOW_MS = 30 * 60_000;

type AuditRow = typeof auditEvent.$inferSelect;

/** Rows, newest first, split into runs of one person's same action on the same object, each close to the next. */
function foldRepeats(rows: AuditRow[]): AuditRow[][] {
	const runs: AuditRow[][] = [];
	for (const row of rows) {
		const run = runs.at(-1);
		const previous = run?.at(-1);
		const repeats =
			previous &&
			previous.actorId === row.actorId &&
			previous.action === row.action &&
			previous.objectId === row.objectId &&
			previous.groupId === row.groupId &&
			previous.at.getTime() - row.at.getTime() <= REPEAT_WINDOW_MS;
		if (run && repeats) run.push(row);
		else runs.push([row]);
	}
	return runs;
}

/**
 * Who looked at a member's data, from the audit log: a facilitator opening their private thread with the
 * facilitators, exporting the record of a group they belong to, or a clinical lead opening that group's
 * board in an emergency. Only those events, never their own,
 * and nothing of other members beyond the staff member's name. Newest first; a run of repeats is one entry.
 */
export async function listDataAccess(userId: string, limit = 50): Promise<DataAccess[]> {
	const theirGroups = db
		.select({ groupId: groupMember.groupId })
		.from(groupMember)
		.where(and(eq(groupMember.userId, userId), eq(groupMember.role, 'member')));
	const rows = await db
		.select()
		.from(auditEvent)
		.where(
			and(
				or(
					and(eq(auditEvent.action, 'care.viewed'), eq(auditEvent.objectType, 'user'), eq(auditEvent.objectId, userId)),
					and(
						inArray(auditEvent.action, ['group.exported', 'emergency_access.viewed']),
						inArray(auditEvent.groupId, theirGroups)
					)
				),
				// Their own actions are not someone looking at their data (a null actor never matches).
				sql`${auditEvent.actorId} is distinct from ${userId}`
			)
		)
		.orderBy(desc(auditEvent.id))
		.limit(limit);
	const runs = foldRepeats(rows);
	const [latest, earliest] = await Promise.all([
		presentAuditEvents(runs.map((run) => run[0])),
		presentAuditEvents(runs.map((run) => run[run.length - 1]))
	]);
	return latest.map((event, index) => ({
		id: event.id,
		at: event.at,
		who: event.actor,
		what: DESCRIPTIONS[event.action as keyof typeof DESCRIPTIONS],
		group: event.group,
		times: runs[index].length,
		since: runs[index].length > 1 ? earliest[index].at : null
	}));
}
