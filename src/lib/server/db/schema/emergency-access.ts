import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { user } from './auth';
import { group } from './groups';

/*
 * Emergency access (docs/emergency-access.md): a clinical lead may open a group's board read-only for a
 * short time, with a reason, when the group's facilitators cannot be reached about a risk. Who is a clinical
 * lead is the admin's decision; each opening is a grant row that outlives its window, as the record of it.
 */

/** A staff account the admin has made a clinical lead. Removing the mark deletes the row (audited). */
export const clinicalLead = pgTable('clinical_lead', {
	userId: text('user_id')
		.primaryKey()
		.references(() => user.id, { onDelete: 'cascade' }),
	markedBy: text('marked_by').notNull(),
	markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow()
});

/**
 * One emergency opening of a group's board. The reason is what the lead typed: it stays here, shown to
 * the group's facilitators and the lead, and never goes into the audit log, logs or email.
 * `endsAt` is fixed when it starts; `endedAt` is set when the lead ends it early.
 */
export const emergencyAccess = pgTable(
	'emergency_access',
	{
		id: text('id').primaryKey(),
		leadId: text('lead_id')
			.notNull()
			.references(() => user.id),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		reason: text('reason').notNull(),
		startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
		endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
		endedAt: timestamp('ended_at', { withTimezone: true })
	},
	(table) => [
		index('emergency_access_group_idx').on(table.groupId, table.startedAt),
		// One open grant per lead and group: starting again while one is open is refused, not stacked.
		// (An expired one has endedAt null too; starting a new one ends it first, see grants.ts.)
		uniqueIndex('emergency_access_open_idx')
			.on(table.leadId, table.groupId)
			.where(sql`${table.endedAt} is null`)
	]
);
