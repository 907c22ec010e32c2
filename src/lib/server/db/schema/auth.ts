import { index, pgTable, text, timestamp, bigserial } from 'drizzle-orm/pg-core';

export const practiceRoles = ['admin', 'staff', 'member'] as const;
export type PracticeRole = (typeof practiceRoles)[number];

export const user = pgTable('user', {
	id: text('id').primaryKey(),
	/** Stored lower-cased so sign-in is case-insensitive. */
	email: text('email').notNull().unique(),
	displayName: text('display_name').notNull(),
	passwordHash: text('password_hash').notNull(),
	role: text('role', { enum: practiceRoles }).notNull(),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
});

export const session = pgTable(
	'session',
	{
		/** SHA-256 of the cookie token: a database leak yields no usable session. */
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(table) => [index('session_user_idx').on(table.userId)]
);

/** One row per failed sign-in, keyed by a hash of the account or the address, never the raw value. */
export const loginFailure = pgTable(
	'login_failure',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		keyHash: text('key_hash').notNull(),
		failedAt: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [index('login_failure_key_idx').on(table.keyHash, table.failedAt)]
);

export type User = typeof user.$inferSelect;
export type Session = typeof session.$inferSelect;
