// Invitations: a random token in a link, single-use, expiring, revocable. Only the token's SHA-256 is
// stored, so the link exists in exactly two places — the facilitator's screen (or the invitee's inbox)
// and the invitee's browser. Accepting consumes the invitation with one conditional UPDATE, so of two
// simultaneous accepts exactly one wins; everything else the accept does happens in that transaction.
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { group, groupMember, invitation, type Agreement, type Invitation } from '../db/schema';
import { recordAudit } from '../audit';
import { announceAccessChange } from '../access-events';
import { checkInput } from '../forms';
import { invitationForm } from './forms';
import { checkTypedName, getCurrentAgreement, insertSignature } from '../groups/agreements';
import { countActiveMembers } from '../groups/membership';
import { GroupRuleError, NotInGroupError } from '../groups/errors';
import { isMailConfigured, sendInvitationEmail } from '../mail';
import { log } from '../log';
import { generateSecretToken, hashSecretToken } from '../secret-token';

export const INVITATION_LIFETIME_DAYS = 7;
const DAY = 24 * 60 * 60 * 1000;

export const hashInvitationToken = hashSecretToken;

export function buildInvitationLink(origin: string, token: string): string {
	return `${origin}/invite/${token}`;
}

export type InvitationState = 'open' | 'used' | 'expired' | 'revoked';

export function getInvitationState(
	row: Pick<Invitation, 'usedAt' | 'revokedAt' | 'expiresAt'>,
	now = new Date()
): InvitationState {
	if (row.usedAt) return 'used';
	if (row.revokedAt) return 'revoked';
	if (row.expiresAt.getTime() <= now.getTime()) return 'expired';
	return 'open';
}

export interface CreatedInvitation {
	id: string;
	link: string;
	expiresAt: Date;
	/** 'sent' when mailed, 'failed' when the SMTP server refused, 'none' when there was nothing to send. */
	mail: 'sent' | 'failed' | 'none';
}

async function countOpenInvitations(tx: Database, groupId: string): Promise<number> {
	const [row] = await tx
		.select({ value: sql<number>`count(*)::int` })
		.from(invitation)
		.where(
			and(
				eq(invitation.groupId, groupId),
				isNull(invitation.usedAt),
				isNull(invitation.revokedAt),
				gt(invitation.expiresAt, new Date())
			)
		);
	return row.value;
}

async function insertInvitation(
	tx: Database,
	input: {
		groupId: string;
		actorId: string;
		email: string | null;
		note: string | null;
		replacesId?: string;
		lifetimeMs: number;
	}
) {
	const [locked] = await tx
		.select({ lifecycle: group.lifecycle, capacity: group.capacity })
		.from(group)
		.where(eq(group.id, input.groupId))
		.for('update');
	if (!locked) throw new NotInGroupError();
	if (locked.lifecycle === 'archived' || locked.lifecycle === 'alumni') {
		throw new GroupRuleError('This group no longer takes new members.');
	}
	const taken = (await countActiveMembers(tx, input.groupId)) + (await countOpenInvitations(tx, input.groupId));
	if (taken >= locked.capacity) {
		throw new GroupRuleError(
			`Every place is taken or has an open invitation (capacity ${locked.capacity}). Withdraw an open invitation first.`
		);
	}
	const token = generateSecretToken();
	const [created] = await tx
		.insert(invitation)
		.values({
			id: generateId(),
			groupId: input.groupId,
			tokenHash: hashInvitationToken(token),
			email: input.email,
			note: input.note,
			createdBy: input.actorId,
			expiresAt: new Date(Date.now() + input.lifetimeMs),
			replacesId: input.replacesId ?? null
		})
		.returning();
	await recordAudit(
		{
			action: 'invitation.created',
			actorId: input.actorId,
			objectType: 'invitation',
			objectId: created.id,
			groupId: input.groupId,
			detail: { emailed: input.email !== null && isMailConfigured(), replaces: input.replacesId ?? null }
		},
		tx
	);
	return { created, token };
}

async function deliver(created: Invitation, token: string, origin: string): Promise<CreatedInvitation> {
	const link = buildInvitationLink(origin, token);
	let mail: CreatedInvitation['mail'] = 'none';
	if (created.email && isMailConfigured()) {
		try {
			await sendInvitationEmail({ to: created.email, link, expiresAt: created.expiresAt });
			mail = 'sent';
		} catch (error) {
			// Only the error code: an SMTP reply may quote the address, and neither it nor the link may be logged.
			const code = (error as { code?: unknown }).code;
			log.error(
				{ area: 'invitations', invitationId: created.id, code: typeof code === 'string' ? code : 'unknown' },
				'invitation email failed'
			);
			mail = 'failed';
		}
	}
	return { id: created.id, link, expiresAt: created.expiresAt, mail };
}

function checkContact(input: { email: string; note: string }) {
	return checkInput(invitationForm, input, (message) => new GroupRuleError(message));
}

/**
 * Creates an invitation and, when SMTP is configured and an email was given, mails the link.
 * The link is returned once, to be shown once: it cannot be recovered later.
 */
export async function createInvitation(input: {
	groupId: string;
	actorId: string;
	email: string;
	note: string;
	origin: string;
	lifetimeMs?: number;
}): Promise<CreatedInvitation> {
	const contact = checkContact(input);
	const { created, token } = await db.transaction((tx) =>
		insertInvitation(tx as unknown as Database, {
			groupId: input.groupId,
			actorId: input.actorId,
			...contact,
			lifetimeMs: input.lifetimeMs ?? INVITATION_LIFETIME_DAYS * DAY
		})
	);
	return deliver(created, token, input.origin);
}

async function revokeWithin(tx: Database, input: { groupId: string; actorId: string; invitationId: string }) {
	const [row] = await tx
		.select()
		.from(invitation)
		.where(and(eq(invitation.id, input.invitationId), eq(invitation.groupId, input.groupId)))
		.for('update');
	if (!row) throw new NotInGroupError();
	if (row.usedAt) throw new GroupRuleError('That invitation has already been accepted.');
	if (!row.revokedAt) {
		await tx.update(invitation).set({ revokedAt: new Date() }).where(eq(invitation.id, row.id));
		await recordAudit(
			{
				action: 'invitation.revoked',
				actorId: input.actorId,
				objectType: 'invitation',
				objectId: row.id,
				groupId: input.groupId
			},
			tx
		);
	}
	return row;
}

/** Revokes an unused invitation of this group; its link stops working at once. */
export async function revokeInvitation(input: {
	groupId: string;
	actorId: string;
	invitationId: string;
}): Promise<void> {
	await db.transaction((tx) => revokeWithin(tx as unknown as Database, input));
}

/** Revokes an unused invitation and issues a fresh link to the same person (lost link, expired link). */
export async function reissueInvitation(input: {
	groupId: string;
	actorId: string;
	invitationId: string;
	origin: string;
}): Promise<CreatedInvitation> {
	const { created, token } = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const old = await revokeWithin(tx, input);
		return insertInvitation(tx, {
			groupId: input.groupId,
			actorId: input.actorId,
			email: old.email,
			note: old.note,
			replacesId: old.id,
			lifetimeMs: INVITATION_LIFETIME_DAYS * DAY
		});
	});
	return deliver(created, token, input.origin);
}

/** The group's invitations, newest first, for its facilitators. */
export async function listInvitations(groupId: string) {
	const rows = await db
		.select()
		.from(invitation)
		.where(eq(invitation.groupId, groupId))
		.orderBy(desc(invitation.createdAt))
		.limit(50);
	const now = new Date();
	return rows.map((row) => ({
		id: row.id,
		email: row.email,
		note: row.note,
		createdAt: row.createdAt,
		expiresAt: row.expiresAt,
		state: getInvitationState(row, now)
	}));
}

export type InvitationLookup =
	| {
			state: 'open';
			invitationId: string;
			note: string | null;
			group: { id: string; name: string; description: string };
			agreement: Pick<Agreement, 'version' | 'body' | 'kind'>;
	  }
	| { state: 'used' | 'expired' | 'revoked' | 'invalid' };

/** What the invitation page shows for a token. Changes nothing. */
export async function lookUpInvitation(token: string): Promise<InvitationLookup> {
	if (!/^[a-z2-7]{16,64}$/.test(token)) return { state: 'invalid' };
	const [row] = await db
		.select({
			invitation,
			group: { id: group.id, name: group.name, description: group.description, lifecycle: group.lifecycle }
		})
		.from(invitation)
		.innerJoin(group, eq(group.id, invitation.groupId))
		.where(eq(invitation.tokenHash, hashInvitationToken(token)));
	if (!row) return { state: 'invalid' };
	const state = getInvitationState(row.invitation);
	if (state !== 'open') return { state };
	if (row.group.lifecycle === 'archived' || row.group.lifecycle === 'alumni') return { state: 'revoked' };
	const agreement = await getCurrentAgreement(row.group.id);
	if (!agreement) return { state: 'invalid' };
	return {
		state: 'open',
		invitationId: row.invitation.id,
		note: row.invitation.note,
		group: { id: row.group.id, name: row.group.name, description: row.group.description },
		agreement: { version: agreement.version, body: agreement.body, kind: agreement.kind }
	};
}

/** Why an accept did not happen; `message` is for the person. */
export class InvitationError extends Error {
	constructor(
		readonly reason: 'used' | 'expired' | 'revoked' | 'invalid' | 'full' | 'already-member' | 'agreement-changed',
		message: string
	) {
		super(message);
	}
}

const UNUSABLE_MESSAGES = {
	used: 'This invitation has already been used.',
	expired: 'This invitation has expired.',
	revoked: 'This invitation was withdrawn.',
	invalid: 'This invitation link is not valid.'
} as const;

/**
 * Accepts an invitation: consumes it, makes the user a member and stores their signature of the
 * agreement version they read, all in one transaction. Returns the group id.
 * Throws InvitationError, and then nothing has changed.
 */
export async function acceptInvitation(input: {
	token: string;
	userId: string;
	typedName: string;
	agreementVersion: number;
}): Promise<{ groupId: string }> {
	const typedName = checkTypedName(input.typedName);
	const tokenHash = hashInvitationToken(input.token);
	const groupId = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		// The row lock this takes makes a concurrent accept wait, then find used_at set and match nothing.
		const [claimed] = await tx
			.update(invitation)
			.set({ usedAt: new Date(), usedBy: input.userId })
			.where(
				and(
					eq(invitation.tokenHash, tokenHash),
					isNull(invitation.usedAt),
					isNull(invitation.revokedAt),
					gt(invitation.expiresAt, new Date())
				)
			)
			.returning();
		if (!claimed) {
			const [row] = await tx.select().from(invitation).where(eq(invitation.tokenHash, tokenHash));
			const reason = row ? getInvitationState(row) : 'invalid';
			const key = reason === 'open' ? 'invalid' : reason;
			throw new InvitationError(key, UNUSABLE_MESSAGES[key]);
		}
		const [locked] = await tx.select().from(group).where(eq(group.id, claimed.groupId)).for('update');
		if (!locked || locked.lifecycle === 'archived' || locked.lifecycle === 'alumni') {
			throw new InvitationError('revoked', UNUSABLE_MESSAGES.revoked);
		}
		const [existing] = await tx
			.select({ status: groupMember.status })
			.from(groupMember)
			.where(and(eq(groupMember.groupId, locked.id), eq(groupMember.userId, input.userId)));
		if (existing?.status === 'active') {
			throw new InvitationError('already-member', 'You are already part of this group.');
		}
		if ((await countActiveMembers(tx, locked.id)) >= locked.capacity) {
			throw new InvitationError('full', 'This group is full. Please ask your facilitator.');
		}
		const current = await getCurrentAgreement(locked.id, tx);
		if (!current) throw new InvitationError('invalid', UNUSABLE_MESSAGES.invalid);
		if (current.version !== input.agreementVersion) {
			throw new InvitationError(
				'agreement-changed',
				'The agreement was just updated. Please read the new version before signing.'
			);
		}
		await tx
			.insert(groupMember)
			.values({ id: generateId(), groupId: locked.id, userId: input.userId, role: 'member' })
			.onConflictDoUpdate({
				target: [groupMember.groupId, groupMember.userId],
				set: {
					role: 'member',
					facilitatorKind: null,
					status: 'active',
					muted: false,
					joinedAt: new Date(),
					endedAt: null
				}
			});
		await recordAudit(
			{
				action: 'invitation.accepted',
				actorId: input.userId,
				objectType: 'invitation',
				objectId: claimed.id,
				groupId: locked.id
			},
			tx
		);
		await insertSignature(tx, { agreement: current, userId: input.userId, typedName });
		return locked.id;
	});
	await announceAccessChange({ kind: 'membership-changed', groupId, userId: input.userId });
	return { groupId };
}
