import { and, desc, eq, sql } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { agreement, agreementSignature, group, type Agreement, type AgreementKind } from '../db/schema';
import { recordAudit } from '../audit';
import { announceAccessChange } from '../access-events';
import { GroupRuleError, NotInGroupError } from './errors';
import { checkInput } from '../forms';
import { agreementBody, typedName } from './forms';

export const DEFAULT_PROGRAM_AGREEMENT = `What is shared in this circle stays in this circle.

We are here to support each other through preparation, our journeys and integration. To keep this space safe for everyone, each of us agrees:

1. Confidentiality. I will not share anything another member says or writes here — names, stories, insights or anything that could identify someone — with anyone outside the group. What I learned about myself is mine to share; other people's stories are not.
2. No copies. I will not take screenshots, photos or recordings of the board or of our sessions.
3. Care. I will speak from my own experience, listen without judgement and offer support rather than advice.
4. Choice. I may pass on any check-in, share as much or as little as feels right, and leave the group at any time.
5. Safety. If I am in crisis I will use the "Support now" options or contact emergency services. This space is not monitored around the clock.

Our facilitators are bound by professional confidentiality. They may act to keep someone safe if there is a serious risk of harm.`;

export const DEFAULT_ALUMNI_AGREEMENT = `Our program has ended, and the circle continues as an alumni group.

Everything in our original agreement still holds: what is shared here stays here, no copies, care, choice and safety.

As alumni, I also understand that:

1. The space is lighter: facilitators may check in less often, and the group is not monitored around the clock.
2. What we shared during the program remains confidential, now and after I leave.
3. I can leave the alumni circle at any time.

Signing again means I want to stay in the circle on these terms.`;

const toRuleError = (message: string) => new GroupRuleError(message);

function checkBody(body: string): string {
	return checkInput(agreementBody, body, toRuleError);
}

export function checkTypedName(name: string): string {
	return checkInput(typedName, name, toRuleError);
}

/** The version in force: the newest. */
export async function getCurrentAgreement(groupId: string, tx: Database = db): Promise<Agreement | null> {
	const [row] = await tx
		.select()
		.from(agreement)
		.where(eq(agreement.groupId, groupId))
		.orderBy(desc(agreement.version))
		.limit(1);
	return row ?? null;
}

/**
 * Adds a new version within a transaction the caller holds (with the group row locked, so version
 * numbers cannot collide). Every member must sign it before they can write again.
 */
export async function insertAgreementVersion(
	tx: Database,
	input: { groupId: string; actorId: string; body: string; kind: AgreementKind }
): Promise<Agreement> {
	const body = checkBody(input.body);
	const current = await getCurrentAgreement(input.groupId, tx);
	const [created] = await tx
		.insert(agreement)
		.values({
			id: generateId(),
			groupId: input.groupId,
			version: (current?.version ?? 0) + 1,
			kind: input.kind,
			body,
			createdBy: input.actorId
		})
		.returning();
	await recordAudit(
		{
			action: 'agreement.published',
			actorId: input.actorId,
			objectType: 'agreement',
			objectId: created.id,
			groupId: input.groupId,
			detail: { version: created.version, kind: created.kind }
		},
		tx
	);
	return created;
}

/** A facilitator edits the agreement: a new version of the same kind, which members are asked to sign. */
export async function publishAgreement(input: { groupId: string; actorId: string; body: string }): Promise<Agreement> {
	const created = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const [locked] = await tx
			.select({ lifecycle: group.lifecycle })
			.from(group)
			.where(eq(group.id, input.groupId))
			.for('update');
		if (!locked) throw new NotInGroupError();
		if (locked.lifecycle === 'archived')
			throw new GroupRuleError('This group is archived; its agreement can no longer change.');
		const current = await getCurrentAgreement(input.groupId, tx);
		if (current && current.body === input.body.trim()) {
			throw new GroupRuleError('The text is unchanged, so there is no new version to publish.');
		}
		return insertAgreementVersion(tx, { ...input, kind: current?.kind ?? 'program' });
	});
	await announceAccessChange({ kind: 'group-changed', groupId: input.groupId });
	return created;
}

/** Stores a signature of exactly `agreementId`; signing the same version twice keeps the first. */
export async function insertSignature(
	tx: Database,
	input: { agreement: Agreement; userId: string; typedName: string }
): Promise<void> {
	await tx
		.insert(agreementSignature)
		.values({
			id: generateId(),
			agreementId: input.agreement.id,
			groupId: input.agreement.groupId,
			userId: input.userId,
			version: input.agreement.version,
			typedName: input.typedName
		})
		.onConflictDoNothing();
	await recordAudit(
		{
			action: 'agreement.signed',
			actorId: input.userId,
			objectType: 'agreement',
			objectId: input.agreement.id,
			groupId: input.agreement.groupId,
			detail: { version: input.agreement.version }
		},
		tx
	);
}

/**
 * An existing member signs the version in force. `version` is the one they read; if a newer one was
 * published meanwhile they are asked to read again rather than sign text they have not seen.
 */
export async function signAgreement(input: {
	groupId: string;
	userId: string;
	typedName: string;
	version: number;
}): Promise<void> {
	const typedName = checkTypedName(input.typedName);
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const current = await getCurrentAgreement(input.groupId, tx);
		if (!current) throw new NotInGroupError();
		if (current.version !== input.version) {
			throw new GroupRuleError('The agreement was just updated. Please read the new version before signing.');
		}
		await insertSignature(tx, { agreement: current, userId: input.userId, typedName });
	});
	await announceAccessChange({ kind: 'membership-changed', groupId: input.groupId, userId: input.userId });
}

/** The member's most recent signature in this group, if any. */
export async function getLatestSignature(groupId: string, userId: string) {
	const [row] = await db
		.select({ version: agreementSignature.version, signedAt: agreementSignature.signedAt })
		.from(agreementSignature)
		.where(and(eq(agreementSignature.groupId, groupId), eq(agreementSignature.userId, userId)))
		.orderBy(desc(agreementSignature.version))
		.limit(1);
	return row ?? null;
}

/** Latest signed version per user in the group. */
export async function listLatestSignedVersions(groupId: string): Promise<Map<string, number>> {
	const rows = await db
		.select({ userId: agreementSignature.userId, version: sql<number>`max(${agreementSignature.version})::int` })
		.from(agreementSignature)
		.where(eq(agreementSignature.groupId, groupId))
		.groupBy(agreementSignature.userId);
	return new Map(rows.map((row) => [row.userId, row.version]));
}
