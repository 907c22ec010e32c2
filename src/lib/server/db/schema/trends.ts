import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from './auth';
import { group } from './groups';

/**
 * A member's choice to show their intention (the newest one in their journal) to one group's facilitators.
 * No row means not shown: the choice is off until the member makes it, and taking it back deletes the row.
 * The words stay in the member's journal; only the facilitators' arrivals page reads them, and only while
 * this row exists.
 */
export const intentionShare = pgTable(
	'intention_share',
	{
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		sharedAt: timestamp('shared_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [primaryKey({ columns: [table.groupId, table.userId] })]
);
