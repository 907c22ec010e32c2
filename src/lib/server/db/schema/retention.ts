import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { group } from './groups';

/**
 * Where an ended group stands on the practice's retention policy (src/lib/server/retention). One row
 * per group, made the first time a hold is set or the purge begins; no row is a group with no hold that
 * nothing has happened to yet. The purge and a hold change this row under `SELECT … FOR UPDATE`, so a
 * hold and the start of a purge can never cross. The group row itself stays after the purge (its name,
 * for staff: "records deleted on …").
 */
export const groupRetention = pgTable('group_retention', {
	groupId: text('group_id')
		.primaryKey()
		.references(() => group.id, { onDelete: 'cascade' }),
	/** A legal hold in force since then: the clock stops and nothing is purged. */
	holdSince: timestamp('hold_since', { withTimezone: true }),
	/** Why the admin set the hold (e.g. a records request), shown to the admin only; never in the audit log. */
	holdReason: text('hold_reason'),
	holdSetBy: text('hold_set_by'),
	/** Time spent on holds already lifted: it moves the deletion date later by as much. */
	heldMs: bigint('held_ms', { mode: 'number' }).notNull().default(0),
	/** Once set, access to the group has ended and the purge will finish (a hold can no longer stop it). */
	purgeStartedAt: timestamp('purge_started_at', { withTimezone: true }),
	purgedAt: timestamp('purged_at', { withTimezone: true })
});

export type GroupRetention = typeof groupRetention.$inferSelect;
