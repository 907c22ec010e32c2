// Who is a clinical lead: a staff account the practice admin has marked. Only they may start emergency
// access (grants.ts). The admin decides who, and never gets access to content by doing so: an admin
// account cannot be marked.
import { and, eq, isNull } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { db } from '../db';
import { clinicalLead, user } from '../db/schema';
import { EmergencyAccessError } from './errors';
import { closeEmergencyViews, endOpenGrantsOf } from './grants';

export async function isClinicalLead(userId: string): Promise<boolean> {
	const [row] = await db
		.select({ userId: clinicalLead.userId })
		.from(clinicalLead)
		.innerJoin(user, eq(user.id, clinicalLead.userId))
		.where(and(eq(clinicalLead.userId, userId), eq(user.role, 'staff'), isNull(user.deletedAt)));
	return row !== undefined;
}

export async function listClinicalLeadIds(): Promise<Set<string>> {
	const rows = await db.select({ userId: clinicalLead.userId }).from(clinicalLead);
	return new Set(rows.map((row) => row.userId));
}

/**
 * Marks a staff account as a clinical lead, or takes the mark away (audited either way; a change that
 * changes nothing records nothing). Taking it away ends their open emergency access at once.
 * Throws EmergencyAccessError when the account is not a staff account.
 */
export async function setClinicalLead(input: { adminId: string; userId: string; lead: boolean }): Promise<void> {
	const [account] = await db
		.select({ role: user.role, deletedAt: user.deletedAt })
		.from(user)
		.where(eq(user.id, input.userId));
	if (!account || account.role !== 'staff' || account.deletedAt) {
		throw new EmergencyAccessError('Only a staff account can be a clinical lead.');
	}
	if (input.lead) {
		await db.transaction(async (tx) => {
			const added = await tx
				.insert(clinicalLead)
				.values({ userId: input.userId, markedBy: input.adminId })
				.onConflictDoNothing()
				.returning({ userId: clinicalLead.userId });
			if (added.length === 0) return;
			await recordAudit(
				{ action: 'clinical_lead.marked', actorId: input.adminId, objectType: 'user', objectId: input.userId },
				tx
			);
		});
		return;
	}
	const endedIn = await db.transaction(async (tx) => {
		const rows = await tx
			.delete(clinicalLead)
			.where(eq(clinicalLead.userId, input.userId))
			.returning({ userId: clinicalLead.userId });
		if (rows.length === 0) return [];
		await recordAudit(
			{ action: 'clinical_lead.unmarked', actorId: input.adminId, objectType: 'user', objectId: input.userId },
			tx
		);
		return endOpenGrantsOf(input.userId, input.adminId, tx);
	});
	await closeEmergencyViews(input.userId, endedIn);
}
