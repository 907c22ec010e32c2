import { bigint, bigserial, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from './columns';

export const practiceRoles = ['admin', 'staff', 'member'] as const;
export type PracticeRole = (typeof practiceRoles)[number];

export const user = pgTable('user', {
	id: text('id').primaryKey(),
	/** Stored lower-cased so sign-in is case-insensitive. */
	email: text('email').notNull().unique(),
	displayName: text('display_name').notNull(),
	passwordHash: text('password_hash').notNull(),
	role: text('role', { enum: practiceRoles }).notNull(),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	/**
	 * When the account was deleted (account-deletion/): the row stays, without email, name or a usable
	 * password, because agreement signatures, memberships, client-id bindings and the audit log refer to its id.
	 */
	deletedAt: timestamp('deleted_at', { withTimezone: true })
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

/**
 * A confirmed TOTP second factor (auth/second-factor.ts). The secret is sealed with the data keyring (purpose
 * `second-factor`, bound to the user), never stored in the clear. `lastUsedStep` is the 30-second time step of
 * the last code accepted: a code of that step or an earlier one is never accepted again.
 */
export const secondFactor = pgTable('second_factor', {
	userId: text('user_id')
		.primaryKey()
		.references(() => user.id, { onDelete: 'cascade' }),
	keyId: text('key_id').notNull(),
	secret: bytea('secret').notNull(),
	lastUsedStep: bigint('last_used_step', { mode: 'number' }).notNull(),
	enabledAt: timestamp('enabled_at', { withTimezone: true }).notNull().defaultNow()
});

/** One-time recovery codes: only a SHA-256 of each (80 random bits: no list of guesses can match it). Used = deleted. */
export const recoveryCode = pgTable(
	'recovery_code',
	{
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		codeHash: text('code_hash').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [primaryKey({ columns: [table.userId, table.codeHash] })]
);

/**
 * "The password was right, the second factor is still to come" (auth/pending-sign-in.ts): short-lived,
 * single-use, bound to the client address, and never a session. `id` is the SHA-256 of the cookie token.
 * An enrolment carries the new secret it shows, sealed like `second_factor.secret`.
 */
export const pendingSignIn = pgTable(
	'pending_sign_in',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		step: text('step', { enum: ['code', 'enrol'] }).notNull(),
		via: text('via', { enum: ['login', 'invitation', 'setup', 'account'] }).notNull(),
		/** A same-site path to go to afterwards (never an invitation link: those stay in their own page). */
		next: text('next').notNull(),
		addressKey: text('address_key').notNull(),
		secretKeyId: text('secret_key_id'),
		secret: bytea('secret'),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(table) => [index('pending_sign_in_user_idx').on(table.userId)]
);

/**
 * A one-time password reset link (auth/password-reset.ts), issued by an admin or by a member's facilitator.
 * `tokenHash` is the SHA-256 of the token in the link, never the token. A link is good until `expiresAt`,
 * once (`usedAt`), and only while it is the account's newest (`supersededAt` is set when another is issued).
 */
export const passwordReset = pgTable(
	'password_reset',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		tokenHash: text('token_hash').notNull().unique(),
		/** Who issued it; the audit log keeps the same fact after that account is gone. */
		createdBy: text('created_by').references(() => user.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		usedAt: timestamp('used_at', { withTimezone: true }),
		supersededAt: timestamp('superseded_at', { withTimezone: true })
	},
	(table) => [index('password_reset_user_idx').on(table.userId)]
);

export type User = typeof user.$inferSelect;
export type Session = typeof session.$inferSelect;
