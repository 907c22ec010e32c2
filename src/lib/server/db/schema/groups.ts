import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { user } from './auth';

export const groupLifecycles = ['forming', 'active', 'alumni', 'archived'] as const;
export type GroupLifecycle = (typeof groupLifecycles)[number];

/** A circle: a handful of members, their facilitators, a program schedule and a confidentiality agreement. */
export const group = pgTable('group', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	description: text('description').notNull().default(''),
	capacity: integer('capacity').notNull().default(6),
	/** IANA zone (e.g. Europe/Berlin); session times are stored as instants and shown in this zone. */
	timeZone: text('time_zone').notNull(),
	lifecycle: text('lifecycle', { enum: groupLifecycles }).notNull().default('forming'),
	createdBy: text('created_by')
		.notNull()
		.references(() => user.id),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	lifecycleChangedAt: timestamp('lifecycle_changed_at', { withTimezone: true }).notNull().defaultNow(),
	/** Hours after each journey during which members' new group posts wait in their journal; 0 = off (docs/cool-off.md). */
	coolOffHours: integer('cool_off_hours').notNull().default(0)
});

export const groupRoles = ['facilitator', 'member'] as const;
export const facilitatorKinds = ['therapist', 'medical_provider'] as const;
export type FacilitatorKind = (typeof facilitatorKinds)[number];
export const membershipStatuses = ['active', 'removed', 'left'] as const;
export type MembershipStatus = (typeof membershipStatuses)[number];

/**
 * One row per person and group, kept after they go (status removed/left) so facilitators see the
 * group's history and a returning member gets the same row back.
 */
export const groupMember = pgTable(
	'group_member',
	{
		id: text('id').primaryKey(),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		role: text('role', { enum: groupRoles }).notNull(),
		/** Only for facilitators: how members see them labelled. */
		facilitatorKind: text('facilitator_kind', { enum: facilitatorKinds }),
		status: text('status', { enum: membershipStatuses }).notNull().default('active'),
		muted: boolean('muted').notNull().default(false),
		joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
		endedAt: timestamp('ended_at', { withTimezone: true })
	},
	(table) => [
		uniqueIndex('group_member_group_user_idx').on(table.groupId, table.userId),
		index('group_member_user_idx').on(table.userId)
	]
);

export const agreementKinds = ['program', 'alumni'] as const;
export type AgreementKind = (typeof agreementKinds)[number];

/**
 * A group's confidentiality agreement, one row per version. The newest version is the one in force;
 * old versions stay so every signature points at the exact text that was signed.
 */
export const agreement = pgTable(
	'agreement',
	{
		id: text('id').primaryKey(),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		version: integer('version').notNull(),
		kind: text('kind', { enum: agreementKinds }).notNull(),
		body: text('body').notNull(),
		createdBy: text('created_by')
			.notNull()
			.references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [uniqueIndex('agreement_group_version_idx').on(table.groupId, table.version)]
);

export const agreementSignature = pgTable(
	'agreement_signature',
	{
		id: text('id').primaryKey(),
		agreementId: text('agreement_id')
			.notNull()
			.references(() => agreement.id, { onDelete: 'cascade' }),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		/** Copied from the agreement so the signature says on its own which version it binds to. */
		version: integer('version').notNull(),
		typedName: text('typed_name').notNull(),
		signedAt: timestamp('signed_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [
		uniqueIndex('agreement_signature_agreement_user_idx').on(table.agreementId, table.userId),
		index('agreement_signature_group_user_idx').on(table.groupId, table.userId)
	]
);

/**
 * A single-use invitation. Only the SHA-256 of its token is stored: the link is shown (or mailed) once
 * and a database leak yields no usable invitation.
 */
export const invitation = pgTable(
	'invitation',
	{
		id: text('id').primaryKey(),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		tokenHash: text('token_hash').notNull().unique(),
		/** Where it was mailed, if anywhere; shown to facilitators only. */
		email: text('email'),
		/** A short note from the facilitator, shown to them and to the person who opens the link. */
		note: text('note'),
		createdBy: text('created_by')
			.notNull()
			.references(() => user.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		usedAt: timestamp('used_at', { withTimezone: true }),
		usedBy: text('used_by').references(() => user.id, { onDelete: 'set null' }),
		revokedAt: timestamp('revoked_at', { withTimezone: true }),
		/** The invitation this one was re-issued from, if any. */
		replacesId: text('replaces_id')
	},
	(table) => [index('invitation_group_idx').on(table.groupId)]
);

export const programSessionKinds = ['preparation', 'journey', 'integration', 'alumni'] as const;
export type ProgramSessionKind = (typeof programSessionKinds)[number];
export const programSessionStates = ['upcoming', 'in_progress', 'done'] as const;
export type ProgramSessionState = (typeof programSessionStates)[number];

/** One meeting on a group's program schedule (not a sign-in session). */
export const programSession = pgTable(
	'program_session',
	{
		id: text('id').primaryKey(),
		groupId: text('group_id')
			.notNull()
			.references(() => group.id, { onDelete: 'cascade' }),
		kind: text('kind', { enum: programSessionKinds }).notNull(),
		number: integer('number').notNull(),
		startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
		state: text('state', { enum: programSessionStates }).notNull().default('upcoming')
	},
	(table) => [index('program_session_group_idx').on(table.groupId, table.startsAt)]
);

export type Group = typeof group.$inferSelect;
export type GroupMember = typeof groupMember.$inferSelect;
export type Agreement = typeof agreement.$inferSelect;
export type AgreementSignature = typeof agreementSignature.$inferSelect;
export type Invitation = typeof invitation.$inferSelect;
export type ProgramSession = typeof programSession.$inferSelect;
