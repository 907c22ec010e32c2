import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { db } from '../db';
import { auditEvent, groupMember } from '../db/schema';
import { presentAuditEvents } from './present';

/** What a member is told someone did with their data. */
const DESCRIPTIONS = {
	'care.viewed': 'opened your private messages with your facilitators',
	'group.exported': "exported the group's record, which holds what you shared with the group"
} as const;

export interface DataAccess {
	id: number;
	at: string;
	who: string;
	what: string;
	group: string | null;
}

/**
 * Who looked at a member's data, from the audit log: a facilitator opening their private thread with the
 * facilitators, or exporting the record of a group they belong to. Only those events, never their own,
 * and nothing of other members beyond the staff member's name. Newest first.
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
					and(eq(auditEvent.action, 'group.exported'), inArray(auditEvent.groupId, theirGroups))
				),
				// Their own actions are not someone looking at their data (a null actor never matches).
				sql`${auditEvent.actorId} is distinct from ${userId}`
			)
		)
		.orderBy(desc(auditEvent.id))
		.limit(limit);
	const shown = await presentAuditEvents(rows);
	return shown.map((event) => ({
		id: event.id,
		at: event.at,
		who: event.actor,
		what: DESCRIPTIONS[event.action as keyof typeof DESCRIPTIONS],
		group: event.group
	}));
}
