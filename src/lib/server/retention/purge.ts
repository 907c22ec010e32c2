/*
 * The purge: an ended group whose retention time has passed, with no hold, loses its records for good.
 *
 * In two steps, each safe to repeat, so a crash anywhere is finished by the next sweep:
 *
 *   1. claim (short transaction, under the retention row's lock that holds also take): the clock is
 *      checked once more and `purge_started_at` set. From that commit on, getGroupStanding refuses
 *      everyone (pages and sockets alike), a hold can no longer be set, and the group's open sockets are
 *      closed (announced as a group change, in every process).
 *   2. carry out (one transaction holding the retention row `FOR UPDATE SKIP LOCKED`, so two processes
 *      sweeping at once never purge the same group twice): journal entries tied to the group's sessions
 *      are removed and the journals compacted; every stored document of the group (board, archives, staff
 *      space, care threads) is deleted with its update rows, snapshot and client bindings; then, in the
 *      transaction, the group's rows (see GROUP_ROWS) go, the `retention.purged` audit entry is written and
 *      `purged_at` set. Until that commit nothing says "done", so a run cut short is run again whole.
 *
 * Kept: the group row (its name, for staff: "records deleted on …"), its facilitators' memberships, the
 * retention row and the audit log (ids and counts only). Members' accounts are untouched.
 */
import { and, eq, isNull, like, or } from 'drizzle-orm';
import * as Y from 'yjs';
import { listHeldPosts } from '$lib/board/cool-off';
import {
	archiveDocumentName,
	careDocumentName,
	groupDocumentName,
	journalDocumentName,
	staffDocumentName
} from '$lib/board/document-names';
import { announceAccessChange } from '../access-events';
import { recordAudit } from '../audit';
import { db, type Database } from '../db';
import {
	agreement,
	agreementSignature,
	checkInPrompt,
	emergencyAccess,
	group,
	groupMember,
	groupRetention,
	intentionShare,
	invitation,
	memberMute,
	moderationFlag,
	notification,
	programSession,
	promptLibrary,
	realtimeClient
} from '../db/schema';
import { log } from '../log';
import { changeDocument, compactDocument, deleteStoredDocument } from '../realtime/server-writes';
import { listStoredDocuments } from '../realtime/storage';
import { clockOf, lockRetention } from './holds';
import { isPurgeDue } from './policy';
import { getRetentionMonths } from './settings';

/** Every table that holds a group's records by `group_id`, deleted in this order (children first). */
const GROUP_ROWS = [
	agreementSignature,
	agreement,
	invitation,
	moderationFlag,
	notification,
	memberMute,
	checkInPrompt,
	promptLibrary,
	intentionShare,
	emergencyAccess,
	programSession
] as const;

export interface PurgeReport {
	groupId: string;
	/** Stored documents deleted (board, archives, staff space, care threads). */
	documents: number;
	/** Journal entries tied to the group's sessions, removed from members' journals. */
	journalEntries: number;
	/** Members' (not facilitators') memberships deleted. */
	memberships: number;
}

/**
 * Purges every ended group whose time has come (and finishes any purge a crash cut short); returns what
 * it did, ids and counts only. Safe to run in several processes at once.
 */
export async function sweepRetention(
	now = new Date(),
	hooks: { beforePurgeCommit?: (groupId: string) => Promise<void> } = {}
): Promise<PurgeReport[]> {
	const months = await getRetentionMonths();
	const candidates = await db
		.select({ group, retention: groupRetention })
		.from(group)
		.leftJoin(groupRetention, eq(groupRetention.groupId, group.id))
		.where(and(eq(group.lifecycle, 'archived'), isNull(groupRetention.purgedAt)));
	const reports: PurgeReport[] = [];
	for (const { group: g, retention } of candidates) {
		if (!retention?.purgeStartedAt && !isPurgeDue(clockOf(g, retention), months, now)) continue;
		if (!(await claimPurge(g.id, months, now))) continue;
		const report = await carryOutPurge(g.id, hooks.beforePurgeCommit);
		if (report) reports.push(report);
	}
	return reports;
}

/** Step 1: checks the clock under the lock and marks the purge begun; false when it is not (or no longer) due. */
async function claimPurge(groupId: string, months: number, now: Date): Promise<boolean> {
	const claimed = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const row = await lockRetention(tx, groupId);
		if (!row || row.purgedAt) return false;
		if (row.purgeStartedAt) return true;
		const [g] = await tx.select().from(group).where(eq(group.id, groupId));
		if (!isPurgeDue(clockOf(g, row), months, now)) return false;
		await tx.update(groupRetention).set({ purgeStartedAt: new Date() }).where(eq(groupRetention.groupId, groupId));
		return true;
	});
	if (claimed) await announceAccessChange({ kind: 'group-changed', groupId });
	return claimed;
}

/** Step 2, or null when another process is carrying it out (or already has). */
async function carryOutPurge(
	groupId: string,
	beforeCommit?: (groupId: string) => Promise<void>
): Promise<PurgeReport | null> {
	return db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const [row] = await tx
			.select()
			.from(groupRetention)
			.where(eq(groupRetention.groupId, groupId))
			.for('update', { skipLocked: true });
		if (!row || row.purgedAt || !row.purgeStartedAt) return null;

		const journalEntries = await purgeJournals(groupId);
		let documents = 0;
		// Gone over until a pass finds nothing: a write that was in flight when access ended lands in the next.
		for (let found = await listGroupDocuments(groupId); found.length > 0; found = await listGroupDocuments(groupId)) {
			for (const name of found) await deleteStoredDocument(name);
			documents += found.length;
		}
		await tx
			.delete(realtimeClient)
			.where(or(...groupDocumentPatterns(groupId).map((p) => like(realtimeClient.document, p))));
		for (const table of GROUP_ROWS) await tx.delete(table).where(eq(table.groupId, groupId));
		const removed = await tx
			.delete(groupMember)
			.where(and(eq(groupMember.groupId, groupId), eq(groupMember.role, 'member')))
			.returning({ id: groupMember.id });
		await tx.update(group).set({ description: '' }).where(eq(group.id, groupId));
		await tx.update(groupRetention).set({ purgedAt: new Date() }).where(eq(groupRetention.groupId, groupId));
		const report = { groupId, documents, journalEntries, memberships: removed.length };
		await recordAudit(
			{
				action: 'retention.purged',
				actorId: null,
				objectType: 'group',
				objectId: groupId,
				detail: { documents, journal_entries: journalEntries, memberships: removed.length }
			},
			tx
		);
		// Tests stop here to prove that a purge cut short is finished by the next sweep.
		await beforeCommit?.(groupId);
		return report;
	});
}

/** LIKE patterns for the group's documents (ids are base32: no wildcard characters to escape). */
function groupDocumentPatterns(groupId: string): string[] {
	const somePeriod = archiveDocumentName(groupId, '2000q1');
	const someCare = careDocumentName(groupId, groupId);
	return [
		groupDocumentName(groupId),
		staffDocumentName(groupId),
		`${somePeriod.slice(0, -'2000q1'.length)}%`,
		`${someCare.slice(0, -groupId.length)}%`
	];
}

/** The group's stored documents: its board, archives, staff space and care threads. */
async function listGroupDocuments(groupId: string): Promise<string[]> {
	const [board, staff, archives, care] = groupDocumentPatterns(groupId);
	const exact = [board, staff];
	const found = await Promise.all([
		listStoredDocuments(db, board),
		listStoredDocuments(db, staff),
		listStoredDocuments(db, archives.slice(0, -1)),
		listStoredDocuments(db, care.slice(0, -1))
	]);
	return [...new Set(found.flat())].filter(
		(name) => exact.includes(name) || name.startsWith(archives.slice(0, -1)) || name.startsWith(care.slice(0, -1))
	);
}

/**
 * Removes from every journal of someone who was in the group the entries written for its sessions (quiet
 * time notes, insights kept to oneself) and the posts held for it during a cool-off, then compacts the journal so the words leave storage. A journal's
 * other entries are its owner's and stay.
 */
async function purgeJournals(groupId: string): Promise<number> {
	const sessions = new Set(
		(await db.select({ id: programSession.id }).from(programSession).where(eq(programSession.groupId, groupId))).map(
			(row) => row.id
		)
	);
	const people = await db
		.selectDistinct({ userId: groupMember.userId })
		.from(groupMember)
		.where(eq(groupMember.groupId, groupId));
	let removed = 0;
	for (const { userId } of people) {
		const name = journalDocumentName(userId);
		removed += await changeDocument(name, (doc) => {
			const posts = doc.getMap('posts');
			const tied = [...posts.entries()].filter(
				([, value]) => value instanceof Y.Map && sessions.has(value.get('sessionId') as string)
			);
			for (const [id] of tied) posts.delete(id);
			// Posts that waited out a cool-off for this group were written for it.
			const waiting = listHeldPosts(doc, groupId);
			for (const { id } of waiting) doc.getMap('held').delete(id);
			return tied.length + waiting.length;
		});
		await compactDocument(name);
	}
	return removed;
}

const SWEEP_EVERY_MS = 60 * 60 * 1000;
let sweeper: ReturnType<typeof setInterval> | undefined;

/** Starts this process's hourly retention sweep (idempotent); several processes may run it at once. */
export function startRetentionSweep(): void {
	if (sweeper) return;
	const sweep = () =>
		sweepRetention()
			.then((reports) => {
				for (const report of reports)
					log.info({ area: 'retention', ...report }, 'an ended group’s records were deleted');
			})
			.catch((error) => log.error({ area: 'retention', error }, 'the retention sweep failed'));
	sweeper = setInterval(sweep, SWEEP_EVERY_MS);
	sweeper.unref?.();
	setTimeout(sweep, 60_000).unref?.();
}
