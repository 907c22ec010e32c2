import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { user } from './auth';
import { group } from './groups';

/*
 * Moderation and support records. None of these tables holds anything a person typed: a flag's reason,
 * a hidden post and an urgent message live in the (encrypted) Yjs documents of their audience, so a
 * redaction that purges a document leaves nothing behind here.
 */

export const flagStatuses = ['open', 'resolved'] as const;
export type FlagStatus = (typeof flagStatuses)[number];

/** A member asked the facilitators to look at a post; the reason (if any) is in `staff:<g>` flags. */
export const moderationFlag = pgTable(
	'moderation_flag',
	{
		id: text('id').primaryKey(),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		/** The document the post is in (`group:<g>` or `care:<g>:<u>`). */
		document: text('document').notNull(),
		postId: text('post_id').notNull(),
		flaggedBy: text('flagged_by')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		status: text('status', { enum: flagStatuses }).notNull().default('open'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [index('moderation_flag_group_idx').on(table.groupId, table.status)]
);

export const notificationKinds = ['urgent_message', 'flag', 'emergency_access'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Something a facilitator should look at; says what kind and where, never who wrote what. */
export const notification = pgTable(
	'notification',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		groupId: text('group_id').references(() => group.id, { onDelete: 'cascade' }),
		kind: text('kind', { enum: notificationKinds }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		readAt: timestamp('read_at', { withTimezone: true })
	},
	(table) => [index('notification_user_idx').on(table.userId, table.createdAt)]
);

/** A timed mute: the member is unmuted automatically at `until` (see moderation/mutes.ts). */
export const memberMute = pgTable(
	'member_mute',
	{
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		until: timestamp('until', { withTimezone: true }).notNull(),
		/** The facilitator who set it; the automatic unmute is recorded in their name. */
		mutedBy: text('muted_by').notNull()
	},
	(table) => [
		uniqueIndex('member_mute_group_user_idx').on(table.groupId, table.userId),
		index('member_mute_until_idx').on(table.until)
	]
);

/**
 * Practice-wide settings, one row per key: what an admin configures (`crisis_lines`) and what the server
 * keeps for itself (`data_key_check`, realtime/key-check.ts; `setup_codes`, setup/setup-code.ts).
 */
export const practiceSetting = pgTable('practice_setting', {
	key: text('key').primaryKey(),
	value: jsonb('value').notNull(),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	updatedBy: text('updated_by')
});
