import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from './auth';
import { group } from './groups';

export const promptKinds = ['arriving', 'preparation', 'post_journey', 'alumni'] as const;
export type PromptKind = (typeof promptKinds)[number];

/**
 * A group's check-in prompt library. Each group starts from Hearth's starter set (copied in when the
 * library is first opened, so a facilitator's edits never touch another group's library).
 */
export const checkInPrompt = pgTable(
	'check_in_prompt',
	{
		id: text('id').primaryKey(),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		kind: text('kind', { enum: promptKinds }).notNull(),
		text: text('text').notNull(),
		/** Order within its kind; new prompts go last. */
		position: integer('position').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [index('check_in_prompt_group_idx').on(table.groupId, table.kind, table.position)]
);

/** One row per group once its library exists: a library emptied on purpose is not refilled. */
export const promptLibrary = pgTable('prompt_library', {
	groupId: text('group_id')
		.primaryKey()
		.references(() => group.id, { onDelete: 'cascade' }),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	updatedBy: text('updated_by').references(() => user.id, { onDelete: 'set null' })
});

export type CheckInPrompt = typeof checkInPrompt.$inferSelect;
