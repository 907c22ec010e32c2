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

/**
 * One row per failed password check (sign-in or password change), kept for the sign-in window. Account and
 * address are keyed hashes (see auth/login-limits.ts), never the email or the address itself; one row per
 * failure lets the limits count per account, per address and per account+address pair.
 */
export const loginFailure = pgTable(
	'login_failure',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		accountKey: text('account_key').notNull(),
		addressKey: text('address_key').notNull(),
		failedAt: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [
		index('login_failure_account_idx').on(table.accountKey, table.failedAt),
		index('login_failure_address_idx').on(table.addressKey, table.failedAt)
	]
);

export type User = typeof user.$inferSelect;
export type Session = typeof session.$inferSelect;
