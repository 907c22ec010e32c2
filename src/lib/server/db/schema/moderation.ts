import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
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

/**
 * What a notification can say happened: kinds, never words. Facilitators' kinds (`flag`, `urgent_message`, `emergency_access`)
 * point to the staff space; the others to where it happened (notifications/links.ts).
 */
export const notificationKinds = [
	'urgent_message',
	'flag',
	'reply',
	'metoo',
	'round_opened',
	'session_soon',
	'moved_to_alumni',
	'emergency_access'
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Which document a notification's target lives in, so its link opens the right space. */
export const notificationSpaces = ['group', 'archive', 'care', 'journal', 'staff'] as const;
export type NotificationSpace = (typeof notificationSpaces)[number];

/**
 * Something new for one person: what kind, in which group, and the id of what it points to (a post, a
 * round, a session) — never who did it or what was written. `readAt` is set only by the person's explicit
 * "Mark as read"; `emailedAt` once an email has told them (notifications/email.ts).
 */
export const notification = pgTable(
	'notification',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		groupId: text('group_id').references(() => group.id, { onDelete: 'cascade' }),
		kind: text('kind', { enum: notificationKinds }).notNull(),
		space: text('space', { enum: notificationSpaces }),
		/** The post, round or session it is about; for a care-space post also whose care space (`careOf`). */
		targetId: text('target_id'),
		careOf: text('care_of'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		readAt: timestamp('read_at', { withTimezone: true }),
		emailedAt: timestamp('emailed_at', { withTimezone: true })
	},
	(table) => [
		index('notification_user_idx').on(table.userId, table.createdAt),
		index('notification_unemailed_idx')
			.on(table.userId)
			.where(sql`${table.emailedAt} is null`),
		// "Starting soon" is said once per session per person, whichever process's reminder finds it first.
		uniqueIndex('notification_session_soon_idx')
			.on(table.userId, table.targetId)
			.where(sql`${table.kind} = 'session_soon'`)
	]
);

export const emailChoices = ['off', 'each', 'daily'] as const;
export type EmailChoice = (typeof emailChoices)[number];

/**
 * How a person wants to hear about notifications by email. No row: the defaults (each, no quiet hours,
 * UTC). Quiet hours are minutes after midnight in `timeZone`; start > end spans midnight.
 */
export const notificationSetting = pgTable('notification_setting', {
	userId: text('user_id')
		.primaryKey()
		.references(() => user.id, { onDelete: 'cascade' }),
	email: text('email', { enum: emailChoices }).notNull().default('each'),
	timeZone: text('time_zone').notNull().default('UTC'),
	quietStart: integer('quiet_start'),
	quietEnd: integer('quiet_end'),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

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
