import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The audit log: who did what to which object, and when. Append-only (a trigger refuses UPDATE and
 * DELETE). It holds ids, hashed keys, enum values and numbers only — never names, email addresses,
 * post text or anything else a person typed — so reading it reveals nothing of what a circle shares.
 * No foreign keys: the record must outlive the rows it mentions.
 */
export const auditEvent = pgTable(
	'audit_event',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
		/** Who acted; null when nobody was signed in (a failed sign-in). */
		actorId: text('actor_id'),
		action: text('action').notNull(),
		objectType: text('object_type'),
		objectId: text('object_id'),
		/** The group the event belongs to, so facilitators can read their group's part. */
		groupId: text('group_id'),
		/** Small structured facts (version numbers, lifecycle names, hashed keys); see audit/events.ts. */
		detail: jsonb('detail').$type<Record<string, string | number | boolean | null>>(),
		/**
		 * The hash chain that makes the log tamper-evident (audit/chain.ts): set by a trigger on insert,
		 * in commit order under a lock. `hash` covers this event and the previous event's hash.
		 */
		chainSeq: bigint('chain_seq', { mode: 'number' }),
		prevHash: text('prev_hash'),
		hash: text('hash')
	},
	(table) => [
		index('audit_event_at_idx').on(table.at),
		index('audit_event_group_idx').on(table.groupId, table.id),
		index('audit_event_actor_idx').on(table.actorId, table.id),
		index('audit_event_object_idx').on(table.objectId, table.id),
		uniqueIndex('audit_event_chain_idx').on(table.chainSeq)
	]
);

export type AuditEvent = typeof auditEvent.$inferSelect;
