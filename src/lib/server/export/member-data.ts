/*
 * A member's own data, gathered for "Export my data": what this person wrote, answered, reacted and
 * signed, and their account. Other people's words on the board are theirs, not this person's, so
 * nothing of them is included (a reply names the post it answers by id only); the one exception is the
 * person's own care thread, where the facilitators' replies were written to them.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type * as Y from 'yjs';
import { careDocumentName, journalDocumentName, parseDocumentName, staffDocumentName } from '$lib/board/document-names';
import { listRounds } from '$lib/board/facilitation';
import { listPosts, type LivePost, type Post } from '$lib/board/posts';
import { getHeldMap } from '$lib/board/cool-off';
import { isHeldPost, isHiddenPost, isNotice, type HeldPost, type HiddenPost, type Notice } from '$lib/board/schema';
import { db } from '../db';
import { agreement, agreementSignature, group, groupMember, programSession, user } from '../db/schema';
import { readBoardAndArchives, withDocument } from '../archive/read';
import { describePost, indexSessions } from './documents';
import {
	EXPORT_VERSION,
	MEMBER_EXPORT_FORMAT,
	iso,
	isoOrNull,
	type CareEntry,
	type HeldPostEntry,
	type ExportedPost,
	type ExportedSession,
	type MemberExport,
	type MemberGroupExport,
	type Place,
	type ReactionEntry,
	type RoundAnswerEntry
} from './shape';

type Sessions = Map<string, ExportedSession>;

function exportPost(post: LivePost, place: Place, sessions: Sessions, hidden = false): ExportedPost {
	return { ...describePost(post, sessions), body: post.body, place, hiddenByFacilitator: hidden };
}

function reactionsBy(userId: string, posts: Post[], place: Place): ReactionEntry[] {
	return posts.flatMap((post) =>
		post.state === 'live'
			? post.reactions
					.filter((reaction) => reaction.userId === userId)
					.map((reaction) => ({ postId: post.id, kind: reaction.kind, at: iso(reaction.at), place }))
			: []
	);
}

function ownPosts(userId: string, posts: Post[], place: Place, sessions: Sessions): ExportedPost[] {
	return posts
		.filter((post): post is LivePost => post.state === 'live' && post.authorId === userId)
		.map((post) => exportPost(post, place, sessions));
}

function readBoard(
	doc: Y.Doc,
	place: 'board' | 'archive',
	input: { userId: string; sessions: Sessions; facilitatorIds: Set<string> }
) {
	const posts = listPosts(doc);
	const answers: RoundAnswerEntry[] = [];
	for (const round of listRounds(doc)) {
		const answer = round.answers.get(input.userId);
		if (!answer) continue;
		// A round a member opened (alumni check-ins) asks in that member's words, which are not this person's.
		const promptIsShareable = round.openedBy === input.userId || input.facilitatorIds.has(round.openedBy);
		answers.push({
			roundId: round.id,
			prompt: promptIsShareable ? round.prompt : null,
			openedAt: iso(round.openedAt),
			closedAt: isoOrNull(round.closedAt),
			session: (round.sessionId && input.sessions.get(round.sessionId)) || null,
			place,
			scale: round.scale ? { min: round.scale.min, max: round.scale.max, label: round.scale.label ?? null } : null,
			answer: {
				at: iso(answer.at),
				passed: answer.passed === true,
				scale: answer.scale ?? null,
				feelings: answer.feelings ?? [],
				body: answer.body ?? null
			}
		});
	}
	return {
		posts: ownPosts(input.userId, posts, place, input.sessions),
		reactions: reactionsBy(input.userId, posts, place),
		answers
	};
}

/** The person's posts a facilitator has hidden for now: their words wait in the staff space. */
async function readHiddenOwnPosts(groupId: string, userId: string, sessions: Sessions): Promise<ExportedPost[]> {
	return withDocument(staffDocumentName(groupId), (doc) =>
		[...doc.getMap('hidden').values()]
			.filter((value): value is HiddenPost => isHiddenPost(value) && (value as HiddenPost).post.authorId === userId)
			.map(({ post, from }) =>
				exportPost(
					{ ...post, state: 'live', reactions: [] },
					parseDocumentName(from)?.kind === 'archive' ? 'archive' : 'board',
					sessions,
					true
				)
			)
	);
}

/** The person's care thread, whole: it is theirs, facilitators' replies included. */
async function readCareThread(groupId: string, userId: string, sessions: Sessions, names: Map<string, string>) {
	return withDocument(careDocumentName(groupId, userId), (doc) => {
		const posts = listPosts(doc);
		const entries: CareEntry[] = posts
			.filter((post): post is LivePost => post.state === 'live')
			.map((post) => ({
				...describePost(post, sessions),
				body: post.body,
				authorId: post.authorId,
				authorName: names.get(post.authorId) ?? 'A former facilitator',
				byYou: post.authorId === userId
			}));
		const notices = [...doc.getMap('notices').values()]
			.filter((value): value is Notice => isNotice(value))
			.sort((a, b) => a.at - b.at)
			.map((notice) => ({
				kind: notice.kind,
				postId: notice.postId,
				reason: notice.reason ?? null,
				at: iso(notice.at)
			}));
		return { thread: { entries, notices }, reactions: reactionsBy(userId, posts, 'care') };
	});
}

type Membership = {
	groupId: string;
	name: string;
	role: 'facilitator' | 'member';
	status: 'active' | 'removed' | 'left';
	joinedAt: Date;
	endedAt: Date | null;
};

async function collectGroup(userId: string, membership: Membership, sessions: Sessions): Promise<MemberGroupExport> {
	const { groupId } = membership;
	const people = await db
		.select({ userId: groupMember.userId, role: groupMember.role, displayName: user.displayName })
		.from(groupMember)
		.innerJoin(user, eq(user.id, groupMember.userId))
		.where(eq(groupMember.groupId, groupId));
	const facilitatorIds = new Set(people.filter((p) => p.role === 'facilitator').map((p) => p.userId));
	const names = new Map(people.map((p) => [p.userId, p.displayName]));

	const boards = await readBoardAndArchives(groupId, (doc, place) =>
		readBoard(doc, place, { userId, sessions, facilitatorIds })
	);
	const posts = [...boards.flatMap((board) => board.posts), ...(await readHiddenOwnPosts(groupId, userId, sessions))];
	const reactions = boards.flatMap((board) => board.reactions);
	let careThread: MemberGroupExport['careThread'] = null;
	if (membership.role === 'member') {
		const care = await readCareThread(groupId, userId, sessions, names);
		careThread = care.thread;
		reactions.push(...care.reactions);
	}
	const signatures = await db
		.select({
			agreementVersion: agreementSignature.version,
			agreementKind: agreement.kind,
			agreementText: agreement.body,
			typedName: agreementSignature.typedName,
			signedAt: agreementSignature.signedAt
		})
		.from(agreementSignature)
		.innerJoin(agreement, eq(agreement.id, agreementSignature.agreementId))
		.where(and(eq(agreementSignature.groupId, groupId), eq(agreementSignature.userId, userId)))
		.orderBy(asc(agreementSignature.signedAt));

	const byTime = <T extends { createdAt: string }>(a: T, b: T) => a.createdAt.localeCompare(b.createdAt);
	return {
		id: groupId,
		name: membership.name,
		role: membership.role,
		status: membership.status,
		joinedAt: iso(membership.joinedAt),
		endedAt: isoOrNull(membership.endedAt),
		signatures: signatures.map((s) => ({ ...s, signedAt: iso(s.signedAt) })),
		posts: posts.sort(byTime),
		roundAnswers: boards.flatMap((board) => board.answers).sort((a, b) => a.openedAt.localeCompare(b.openedAt)),
		reactions: reactions.sort((a, b) => a.at.localeCompare(b.at)),
		careThread
	};
}

/**
 * Everything the person wrote, answered, reacted and signed, in every group they are or were in, plus
 * their journal and account (never the password hash). Reads the documents decrypted, here on the server:
 * callers must have checked that the person asking is `userId`, with their password.
 */
export async function collectMemberExport(userId: string, now = new Date()): Promise<MemberExport> {
	const [account] = await db
		.select({
			id: user.id,
			displayName: user.displayName,
			email: user.email,
			role: user.role,
			createdAt: user.createdAt
		})
		.from(user)
		.where(eq(user.id, userId));
	if (!account) throw new Error('No such account');
	const memberships: Membership[] = await db
		.select({
			groupId: groupMember.groupId,
			name: group.name,
			role: groupMember.role,
			status: groupMember.status,
			joinedAt: groupMember.joinedAt,
			endedAt: groupMember.endedAt
		})
		.from(groupMember)
		.innerJoin(group, eq(group.id, groupMember.groupId))
		.where(eq(groupMember.userId, userId))
		.orderBy(asc(groupMember.joinedAt));
	const groupIds = memberships.map((m) => m.groupId);
	// The journal belongs to no group, so its sessions may be any of the person's groups'.
	const sessions = indexSessions(
		groupIds.length === 0 ? [] : await db.select().from(programSession).where(inArray(programSession.groupId, groupIds))
	);

	const groups: MemberGroupExport[] = [];
	for (const membership of memberships) groups.push(await collectGroup(userId, membership, sessions));
	const journal = await withDocument(journalDocumentName(userId), (doc) => {
		const posts = listPosts(doc);
		const held: HeldPostEntry[] = [...getHeldMap(doc).values()]
			.filter((value): value is HeldPost => isHeldPost(value))
			.sort((a, b) => a.at - b.at)
			.map((post) => ({
				id: post.id,
				groupId: post.groupId,
				kind: post.kind,
				body: post.body,
				heldAt: iso(post.at),
				editedAt: isoOrNull(post.editedAt),
				prompt: post.prompt ?? null,
				session: (post.sessionId && sessions.get(post.sessionId)) || null
			}));
		return {
			posts: ownPosts(userId, posts, 'journal', sessions),
			reactions: reactionsBy(userId, posts, 'journal'),
			held
		};
	});

	return {
		format: MEMBER_EXPORT_FORMAT,
		version: EXPORT_VERSION,
		exportedAt: iso(now),
		account: { ...account, createdAt: iso(account.createdAt) },
		journal: journal.posts,
		journalReactions: journal.reactions,
		heldPosts: journal.held,
		groups
	};
}
