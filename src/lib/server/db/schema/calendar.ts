import { boolean, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from './auth';

/**
 * A person's calendar subscription (calendar/): at most one live link each. Only the SHA-256 of the link's
 * token is stored; a new link replaces the hash (the old link stops working) and turning the feed off deletes
 * the row. `showGroupNames` is the person's opt-in to group names and session labels in event titles.
 */
export const calendarFeed = pgTable('calendar_feed', {
	userId: text('user_id')
		.primaryKey()
		.references(() => user.id, { onDelete: 'cascade' }),
	tokenHash: text('token_hash').notNull().unique(),
	showGroupNames: boolean('show_group_names').notNull().default(false),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
});

export type CalendarFeed = typeof calendarFeed.$inferSelect;
