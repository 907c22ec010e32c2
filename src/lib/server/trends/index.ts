/*
 * Arrival trends and shared intentions, read on the server from the stored documents. A member reads
 * only their own trend; the group's trends and the intentions members chose to show are for the group's
 * facilitators (the routes guard with requireGroupMember / requireFacilitator). Nothing here writes to a
 * document; the only write is the member's own sharing choice.
 */
import { and, asc, eq, gte } from 'drizzle-orm';
import { journalDocumentName } from '$lib/board/document-names';
import { listRounds } from '$lib/board/facilitation';
import { listPosts, type LivePost } from '$lib/board/posts';
import { db, type Database } from '../db';
import { groupMember, intentionShare, user } from '../db/schema';
import { recordAudit } from '../audit';
import { readBoardAndArchives, withDocument } from '../archive/read';
import { describeSession, listSessions } from '../schedule/program';
import {
	describeArrivals,
	isArrivalRound,
	toArrivalRound,
	type ArrivalEntry,
	type ArrivalRound,
	type ArrivalSession
} from './arrivals';

export { ARRIVAL_STATUS_LABELS, type ArrivalEntry, type ArrivalStatus } from './arrivals';

/** Every arrival round of the group, wherever archiving has put it (board, then each archive). */
export async function listArrivalRounds(groupId: string): Promise<ArrivalRound[]> {
	const found = await readBoardAndArchives(groupId, (doc) =>
		listRounds(doc).filter(isArrivalRound).map(toArrivalRound)
	);
	// A move is one write over the board and its archive, so a round is in one place; keep the first if not.
	const byId = new Map<string, ArrivalRound>();
	for (const round of found.flat()) if (!byId.has(round.id)) byId.set(round.id, round);
	return [...byId.values()];
}

async function listArrivalSessions(groupId: string): Promise<ArrivalSession[]> {
	return (await listSessions(groupId)).map((session) => ({
		id: session.id,
		label: describeSession(session),
		startsAt: session.startsAt
	}));
}

/** One member's own trend. Callers must have checked that `userId` is the person asking. */
export async function getOwnArrivals(groupId: string, userId: string, now = new Date()): Promise<ArrivalEntry[]> {
	const [membership] = await db
		.select({ joinedAt: groupMember.joinedAt, endedAt: groupMember.endedAt })
		.from(groupMember)
		.where(and(eq(groupMember.groupId, groupId), eq(groupMember.userId, userId)));
	if (!membership) return [];
	const [sessions, rounds] = await Promise.all([listArrivalSessions(groupId), listArrivalRounds(groupId)]);
	return describeArrivals(userId, membership, sessions, rounds, now);
}

/**
 * A sharing row counts only if it was made during the current membership: someone removed and invited
 * again starts private, whatever they chose the first time.
 */
const currentShare = and(
	eq(intentionShare.groupId, groupMember.groupId),
	eq(intentionShare.userId, groupMember.userId),
	gte(intentionShare.sharedAt, groupMember.joinedAt)
);

export type SharedIntention = { body: string; createdAt: string; editedAt: string | null };

export type MemberArrivals = {
	userId: string;
	name: string;
	arrivals: ArrivalEntry[];
	/** The member chose to show their intention here. */
	intentionShared: boolean;
	/** Their newest intention, only when shared (null when shared but none is written yet). */
	intention: SharedIntention | null;
};

/**
 * Each active member's trend and, for those who chose to show it, their newest intention: for the
 * group's facilitators only. A journal is read only for a member whose sharing row exists now.
 */
export async function getGroupArrivals(groupId: string, now = new Date()): Promise<MemberArrivals[]> {
	const members = await db
		.select({
			userId: groupMember.userId,
			name: user.displayName,
			joinedAt: groupMember.joinedAt,
			endedAt: groupMember.endedAt,
			shared: intentionShare.sharedAt
		})
		.from(groupMember)
		.innerJoin(user, eq(user.id, groupMember.userId))
		.leftJoin(intentionShare, currentShare)
		.where(and(eq(groupMember.groupId, groupId), eq(groupMember.role, 'member'), eq(groupMember.status, 'active')))
		.orderBy(asc(groupMember.joinedAt));
	const [sessions, rounds] = await Promise.all([listArrivalSessions(groupId), listArrivalRounds(groupId)]);
	const result: MemberArrivals[] = [];
	for (const member of members) {
		const intentionShared = member.shared !== null;
		result.push({
			userId: member.userId,
			name: member.name,
			arrivals: describeArrivals(member.userId, member, sessions, rounds, now),
			intentionShared,
			intention: intentionShared ? await readNewestIntention(member.userId) : null
		});
	}
	return result;
}

/** The newest intention in the person's journal (their own words, never anyone else's), or null. */
export async function readNewestIntention(userId: string): Promise<SharedIntention | null> {
	return withDocument(journalDocumentName(userId), (doc) => {
		const newest = listPosts(doc)
			.filter(
				(post): post is LivePost =>
					post.state === 'live' && post.kind === 'intention' && post.authorId === userId && !post.parentId
			)
			.sort((a, b) => a.createdAt - b.createdAt)
			.at(-1);
		if (!newest) return null;
		return {
			body: newest.body,
			createdAt: new Date(newest.createdAt).toISOString(),
			editedAt: newest.editedAt ? new Date(newest.editedAt).toISOString() : null
		};
	});
}

export async function isIntentionShared(groupId: string, userId: string, tx: Database = db): Promise<boolean> {
	const [row] = await tx
		.select({ sharedAt: intentionShare.sharedAt })
		.from(intentionShare)
		.innerJoin(groupMember, currentShare)
		.where(and(eq(intentionShare.groupId, groupId), eq(intentionShare.userId, userId)));
	return row !== undefined;
}

/**
 * The member's choice to show (or stop showing) their intention to this group's facilitators; audited
 * without the words. Callers must have checked that `userId` is an active member of the group asking for
 * themselves. Saying the same twice changes nothing and records nothing.
 */
export async function setIntentionShared(input: { groupId: string; userId: string; shared: boolean }): Promise<void> {
	const { groupId, userId, shared } = input;
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		if (shared === (await isIntentionShared(groupId, userId, tx))) return;
		if (shared) {
			await tx
				.insert(intentionShare)
				.values({ groupId, userId })
				.onConflictDoUpdate({ target: [intentionShare.groupId, intentionShare.userId], set: { sharedAt: new Date() } });
		} else {
			await tx
				.delete(intentionShare)
				.where(and(eq(intentionShare.groupId, groupId), eq(intentionShare.userId, userId)));
		}
		await recordAudit(
			{
				action: shared ? 'intention.shared' : 'intention.unshared',
				actorId: userId,
				objectType: 'user',
				objectId: userId,
				groupId
			},
			tx
		);
	});
}
