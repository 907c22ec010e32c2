/*
 * The practice's retention time: how many months an ended group's records are kept. Stored in
 * practice_setting under one key; until the admin sets it, the default applies (policy.ts says why).
 */
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { db, type Database } from '../db';
import { practiceSetting, user } from '../db/schema';
import { NotInGroupError } from '../groups/errors';
import { checkInput } from '../forms';
import { retentionForm } from './forms';
import { DEFAULT_RETENTION_MONTHS } from './policy';

const KEY = 'retention';

/** A setting the admin got wrong; the message is written for them. */
export class RetentionRuleError extends Error {}

/**
 * Only the practice's admin changes retention; the pages check first (requireAdmin), and the domain
 * checks again so no other caller can. Anyone else gets the same "Not found" as a missing group.
 */
export async function requireAdminActor(tx: Database, actorId: string): Promise<void> {
	const [actor] = await tx.select({ role: user.role }).from(user).where(eq(user.id, actorId));
	if (actor?.role !== 'admin') throw new NotInGroupError();
}

export async function getRetentionMonths(tx: Database = db): Promise<number> {
	const [row] = await tx
		.select({ value: practiceSetting.value })
		.from(practiceSetting)
		.where(eq(practiceSetting.key, KEY));
	const months = (row?.value as { months?: unknown } | undefined)?.months;
	return typeof months === 'number' && Number.isInteger(months) ? months : DEFAULT_RETENTION_MONTHS;
}

/** Sets the retention time (checked as the form checks it; throws RetentionRuleError), audited with old and new. */
export async function setRetentionMonths(input: { actorId: string; months: number }): Promise<void> {
	const { months } = checkInput(retentionForm, { months: input.months }, (message) => new RetentionRuleError(message));
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		await requireAdminActor(tx, input.actorId);
		const before = await getRetentionMonths(tx);
		const now = new Date();
		await tx
			.insert(practiceSetting)
			.values({ key: KEY, value: { months }, updatedAt: now, updatedBy: input.actorId })
			.onConflictDoUpdate({
				target: practiceSetting.key,
				set: { value: { months }, updatedAt: now, updatedBy: input.actorId }
			});
		await recordAudit(
			{
				action: 'retention.changed',
				actorId: input.actorId,
				objectType: 'practice',
				detail: { from_months: before, to_months: months }
			},
			tx
		);
	});
}
