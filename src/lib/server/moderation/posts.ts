/*
 * A facilitator's decisions about a post on the group board: hide (reversible), restore, redact
 * (irreversible). Each is authorised here, carried out as trusted server writes ($lib/server/realtime/
 * server-writes.ts) and recorded in the audit log with ids and a reason code only — never the post.
 *
 *   hide      staff:<g>/hidden gets a copy first (with its reactions), then the post's entry in group:<g>
 *             becomes a "hidden" placeholder without author, words or reactions (so it is never in neither,
 *             its replies keep their thread and its id cannot be used again); the author gets a notice in
 *             care:<g>:<author>.
 *   restore   the post goes back into group:<g> (same id, same reactions), then leaves staff:<g>/hidden.
 *   redact    group:<g> gets a tombstone (who removed it is "a facilitator", and when), the hidden copy
 *             and any flag's words about it are dropped, and both documents are compacted at once so no
 *             update row or snapshot keeps the words.
 * Hiding and redacting resolve the post's open flags, saying what was done (`outcome`).
 */
import * as Y from 'yjs';
import {
	archiveDocumentName,
	careDocumentName,
	groupDocumentName,
	parseDocumentName,
	staffDocumentName
} from '$lib/board/document-names';
import { createBoardId } from '$lib/board/ids';
import { readPost, type LivePost, type Removal } from '$lib/board/posts';
import {
	isHiddenPost,
	isFlag,
	reactionKey,
	type Flag,
	type FlagOutcome,
	type HiddenPost,
	type Notice,
	type PostSnapshot
} from '$lib/board/schema';
import { listArchives } from '../archive/archive';
import { recordAudit } from '../audit';
import { getGroupAccess } from '../groups/access';
import { NotInGroupError } from '../groups/errors';
import { changeDocument, compactDocument, readDocument } from '../realtime/server-writes';
import { ModerationError } from './errors';
import { MODERATION_REASONS, type ModerationReason } from '$lib/board/moderation-reasons';

export interface ModerationInput {
	groupId: string;
	actorId: string;
	postId: string;
	/** The board document the post is on: the group's board (the default) or one of its archives. */
	document?: string;
	reason: ModerationReason;
	/** Optional words for the author, shown only in their care space. */
	note?: string;
}

/** Throws NotInGroupError unless `userId` is an active facilitator of the group. */
export async function requireFacilitatorAccess(groupId: string, userId: string): Promise<void> {
	const access = await getGroupAccess(userId, groupId);
	if (access?.role !== 'facilitator') throw new NotInGroupError();
}

function toSnapshot(post: LivePost): PostSnapshot {
	const snapshot: PostSnapshot = {
		id: post.id,
		authorId: post.authorId,
		createdAt: post.createdAt,
		kind: post.kind,
		body: post.body
	};
	if (post.sessionId) snapshot.sessionId = post.sessionId;
	if (post.parentId) snapshot.parentId = post.parentId;
	if (post.prompt) snapshot.prompt = post.prompt;
	if (post.editedAt) snapshot.editedAt = post.editedAt;
	if (post.reactions.length > 0) {
		snapshot.reactions = Object.fromEntries(post.reactions.map((r) => [reactionKey(r.kind, r.userId), r.at]));
	}
	return snapshot;
}

/** The entry a post leaves in its place when it is hidden or removed: when, by whom, and nothing it said. */
export function placeholder(
	post: Pick<PostSnapshot, 'id' | 'createdAt' | 'kind' | 'sessionId' | 'parentId'>,
	removal: Removal,
	by: string,
	at: number
): Y.Map<unknown> {
	const entries: [string, unknown][] = [
		['id', post.id],
		['createdAt', post.createdAt],
		['kind', post.kind],
		['removedAt', at],
		['removedBy', by],
		['removal', removal]
	];
	if (post.sessionId) entries.push(['sessionId', post.sessionId]);
	if (post.parentId) entries.push(['parentId', post.parentId]);
	return new Y.Map(entries);
}

/** Marks the open flags about a post as dealt with, and how. */
export function resolveFlagsAbout(
	staff: Y.Doc,
	postId: string,
	by: string,
	at: number,
	outcome: FlagOutcome,
	dropReason = false
): void {
	const flags = staff.getMap('flags');
	for (const [flagId, value] of flags.entries()) {
		if (!isFlag(value) || (value as Flag).postId !== postId) continue;
		const flag = { ...(value as Flag) };
		// A flag's reason may quote the post: once the post is gone, keep that the flag was raised, not its words.
		if (dropReason) delete flag.reason;
		if (flag.status === 'open') Object.assign(flag, { status: 'resolved', resolvedBy: by, resolvedAt: at, outcome });
		flags.set(flagId, flag satisfies Flag);
	}
}

function explain(input: ModerationInput): string {
	const note = input.note?.trim();
	return (note ? note : MODERATION_REASONS[input.reason]).slice(0, 500);
}

/**
 * The board document a request names, if it is this group's board or one of its archives; the group's
 * board when it names none. Anything else is refused, never "corrected".
 */
export function boardDocumentOf(groupId: string, document?: string): string {
	if (document === undefined || document === '') return groupDocumentName(groupId);
	const parsed = parseDocumentName(document);
	if ((parsed?.kind === 'group' || parsed?.kind === 'archive') && parsed.groupId === groupId) return document;
	throw new ModerationError('That post could not be found.');
}

/** The board document holding a post's entry: `likely` first, then the group's archives, latest first. */
async function findPlaceholder(groupId: string, postId: string, likely: string): Promise<string> {
	const archives = (await listArchives(groupId)).reverse().map((period) => archiveDocumentName(groupId, period));
	for (const name of [likely, ...archives.filter((name) => name !== likely)]) {
		const doc = await readDocument(name);
		try {
			if (doc.getMap('posts').has(postId)) return name;
		} finally {
			doc.destroy();
		}
	}
	return likely;
}

async function readLivePost(board: string, postId: string): Promise<LivePost | null> {
	const doc = await readDocument(board);
	try {
		const post = readPost(doc.getMap('posts').get(postId));
		return post?.state === 'live' ? post : null;
	} finally {
		doc.destroy();
	}
}

async function readHidden(groupId: string, postId: string): Promise<HiddenPost | null> {
	const doc = await readDocument(staffDocumentName(groupId));
	try {
		const value = doc.getMap('hidden').get(postId);
		return isHiddenPost(value) ? (value as HiddenPost) : null;
	} finally {
		doc.destroy();
	}
}

async function noticeAuthor(groupId: string, authorId: string, notice: Omit<Notice, 'at'>): Promise<void> {
	const author = await getGroupAccess(authorId, groupId);
	// Facilitators have no care space; former members are no longer reachable here.
	if (author?.role !== 'member') return;
	await changeDocument(careDocumentName(groupId, authorId), (doc) => {
		doc.getMap('notices').set(createBoardId(), { ...notice, at: Date.now() } satisfies Notice);
	});
}

/** Takes a post off the group board (every device) and holds it in the staff space; reversible. */
export async function hidePost(input: ModerationInput): Promise<void> {
	await requireFacilitatorAccess(input.groupId, input.actorId);
	const group = boardDocumentOf(input.groupId, input.document);
	const post = await readLivePost(group, input.postId);
	if (!post) throw new ModerationError('That post is no longer on the board.');
	const reason = explain(input);
	const at = Date.now();
	const hidden: HiddenPost = { post: toSnapshot(post), from: group, by: input.actorId, at, reason };
	await changeDocument(staffDocumentName(input.groupId), (doc) => {
		doc.getMap('hidden').set(post.id, hidden);
		resolveFlagsAbout(doc, post.id, input.actorId, at, 'hidden');
	});
	await changeDocument(group, (doc) => {
		const posts = doc.getMap('posts');
		if (readPost(posts.get(post.id))?.state === 'live')
			posts.set(post.id, placeholder(post, 'hidden', input.actorId, at));
	});
	// Hidden is not yet gone: the copy is in the staff space. The board's own storage drops it now.
	await compactDocument(group);
	await noticeAuthor(input.groupId, post.authorId, { kind: 'hidden', postId: post.id, reason, by: input.actorId });
	await recordAudit({
		action: 'post.hidden',
		actorId: input.actorId,
		objectType: 'post',
		objectId: post.id,
		groupId: input.groupId,
		detail: { reason: input.reason }
	});
}

/** Puts a hidden post back on the group board, under its own id, with the reactions it had. */
export async function restorePost(input: Omit<ModerationInput, 'reason' | 'note'>): Promise<void> {
	await requireFacilitatorAccess(input.groupId, input.actorId);
	const hidden = await readHidden(input.groupId, input.postId);
	if (!hidden) throw new ModerationError('That post is not hidden any more.');
	const { reactions = {}, ...post } = hidden.post;
	// Back where its placeholder is: where it was hidden, or the archive its thread has moved to since.
	await changeDocument(
		await findPlaceholder(input.groupId, post.id, boardDocumentOf(input.groupId, hidden.from)),
		(doc) => {
			const entries: [string, unknown][] = Object.entries(post);
			entries.push(['reactions', new Y.Map(Object.entries(reactions))]);
			doc.getMap('posts').set(post.id, new Y.Map(entries));
		}
	);
	await changeDocument(staffDocumentName(input.groupId), (doc) => doc.getMap('hidden').delete(post.id));
	await compactDocument(staffDocumentName(input.groupId));
	await noticeAuthor(input.groupId, post.authorId, { kind: 'restored', postId: post.id, by: input.actorId });
	await recordAudit({
		action: 'post.restored',
		actorId: input.actorId,
		objectType: 'post',
		objectId: post.id,
		groupId: input.groupId
	});
}

/**
 * Removes a post's content everywhere, for good: the board keeps a tombstone, the staff space loses its
 * hidden copy and any flag's words, and both documents are compacted before this returns.
 */
export async function redactPost(input: ModerationInput): Promise<void> {
	await requireFacilitatorAccess(input.groupId, input.actorId);
	const hidden = await readHidden(input.groupId, input.postId);
	const group = boardDocumentOf(input.groupId, hidden ? hidden.from : input.document);
	const live = await readLivePost(group, input.postId);
	const post = live ?? hidden?.post;
	if (!post) throw new ModerationError('That post is not on the board or hidden.');
	const staff = staffDocumentName(input.groupId);
	const removedAt = Date.now();
	await changeDocument(group, (doc) =>
		doc.getMap('posts').set(post.id, placeholder(post, 'facilitator', input.actorId, removedAt))
	);
	await changeDocument(staff, (doc) => {
		const hiddenMap = doc.getMap('hidden');
		if (hiddenMap.has(post.id)) hiddenMap.delete(post.id);
		resolveFlagsAbout(doc, post.id, input.actorId, removedAt, 'removed', true);
	});
	await Promise.all([compactDocument(group), compactDocument(staff)]);
	await noticeAuthor(input.groupId, post.authorId, {
		kind: 'removed',
		postId: post.id,
		reason: explain(input),
		by: input.actorId
	});
	await recordAudit({
		action: 'post.redacted',
		actorId: input.actorId,
		objectType: 'post',
		objectId: post.id,
		groupId: input.groupId,
		detail: { reason: input.reason }
	});
}
