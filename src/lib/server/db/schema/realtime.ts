import { bigint, bigserial, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from './auth';
import { bytea } from './columns';

/**
 * Accepted Yjs updates, appended in the order the server accepted them, until a compaction folds them into
 * the document's snapshot. `data` is AES-256-GCM ciphertext (see realtime/encryption.ts); `key_id` names
 * the key that sealed it, so keys can be rotated without rewriting everything at once.
 */
export const realtimeUpdate = pgTable(
	'realtime_update',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		/** A document name (`group:<id>` …): ids only, never content. */
		document: text('document').notNull(),
		keyId: text('key_id').notNull(),
		data: bytea('data').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [index('realtime_update_document_idx').on(table.document, table.id)]
);

/** One per document: its whole state as of the last compaction, encrypted like the updates. */
export const realtimeSnapshot = pgTable('realtime_snapshot', {
	document: text('document').primaryKey(),
	keyId: text('key_id').notNull(),
	data: bytea('data').notNull(),
	compactedAt: timestamp('compacted_at', { withTimezone: true }).notNull().defaultNow()
});

/**
 * Which user a Yjs client id belongs to in a document. Yjs attributes every change to a client id the
 * client chooses; binding the id to the first user who wrote with it stops anyone else from writing under it.
 */
export const realtimeClient = pgTable(
	'realtime_client',
	{
		document: text('document').notNull(),
		clientId: bigint('client_id', { mode: 'number' }).notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		boundAt: timestamp('bound_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [
		primaryKey({ columns: [table.document, table.clientId] }),
		index('realtime_client_user_idx').on(table.userId)
	]
);

export type RealtimeUpdate = typeof realtimeUpdate.$inferSelect;
export type RealtimeSnapshot = typeof realtimeSnapshot.$inferSelect;

/**
 * The realtime sockets open now, in every process, so that a person's connection limit holds across
 * processes. A row is written when a socket is admitted and deleted when it closes; each process extends
 * its rows' `expires_at` while it runs, so the rows of a process that died lapse on their own.
 */
export const realtimeConnection = pgTable(
	'realtime_connection',
	{
		id: text('id').primaryKey(),
		instanceId: text('instance_id').notNull(),
		userId: text('user_id').notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(table) => [
		index('realtime_connection_user_idx').on(table.userId),
		index('realtime_connection_instance_idx').on(table.instanceId)
	]
);
