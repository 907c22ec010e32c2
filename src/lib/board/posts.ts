/*
 * Posts: typed reading and writing of the `posts` root (and the staff space's `notes`, same shape).
 * See schema.ts for the shape and why the body is a plain string. Readers are strict — the policy uses
 * `readPost` to decide whether a post is well formed, so the client and the server agree by construction.
 */
import * as Y from 'yjs';
import { createBoardId } from './ids';
import {
	LIMITS,
	POST_KINDS,
	REACTION_KINDS,
	isId,
	isOneOf,
	isText,
	isTime,
	parseReactionKey,
	reactionKey,
	type Check,
	type PostKind,
	type ReactionKind
} from './schema';

export type Reaction = { kind: ReactionKind; userId: string; at: number };

export type LivePost = {
	state: 'live';
	id: string;
	authorId: string;
	createdAt: number;
	kind: PostKind;
	body: string;
	sessionId?: string;
	parentId?: string;
	prompt?: string;
	editedAt?: number;
	reactions: Reaction[];
};

/**
 * What stays of a removed post: that it was there, and who removed it when. `author` and `facilitator`
 * removals are for good; `hidden` holds the place of a post a facilitator took off the board for now (its
 * words wait in the staff space), so its replies keep their thread and its id cannot be used again;
 * `departed` is what account deletion leaves ("A former member's words were removed"), written only by
 * Hearth's server (docs/deletion.md).
 */
export const REMOVALS = ['author', 'facilitator', 'hidden', 'departed'] as const;
export type Removal = (typeof REMOVALS)[number];

export type RemovedPost = {
	state: 'removed';
	id: string;
	createdAt: number;
	kind: PostKind;
	sessionId?: string;
	parentId?: string;
	removedAt: number;
	removedBy: string;
	removal: Removal;
};

export type Post = LivePost | RemovedPost;

export type PostRoot = 'posts' | 'notes';

const LIVE_FIELDS: Record<string, Check> = {
	id: isId,
	authorId: isId,
	createdAt: isTime,
	kind: isOneOf(POST_KINDS),
	body: isText(LIMITS.bodyChars),
	sessionId: isId,
	parentId: isId,
	prompt: isText(LIMITS.promptChars),
	editedAt: isTime
};
const LIVE_REQUIRED = ['id', 'authorId', 'createdAt', 'kind', 'body'];

const REMOVED_FIELDS: Record<string, Check> = {
	id: isId,
	createdAt: isTime,
	kind: isOneOf(POST_KINDS),
	sessionId: isId,
	parentId: isId,
	removedAt: isTime,
	removedBy: isId,
	removal: isOneOf(REMOVALS)
};
const REMOVED_REQUIRED = ['id', 'createdAt', 'kind', 'removedAt', 'removedBy', 'removal'];

/** Fields the author may change after posting; everything else is fixed when the post is created. */
export const EDITABLE_POST_FIELDS = ['body', 'editedAt'] as const;

function readReactions(value: unknown): Reaction[] | null {
	if (!(value instanceof Y.Map)) return null;
	const reactions: Reaction[] = [];
	for (const [key, at] of (value as Y.Map<unknown>).entries()) {
		const parsed = parseReactionKey(key);
		if (!parsed || !isTime(at)) return null;
		reactions.push({ ...parsed, at: at as number });
	}
	return reactions.sort((a, b) => a.at - b.at);
}

/**
 * A post read from its Y.Map, or null if it is not exactly a well-formed post or tombstone
 * (unknown fields, wrong types, missing fields, malformed reactions).
 */
export function readPost(value: unknown): Post | null {
	if (!(value instanceof Y.Map)) return null;
	const map = value as Y.Map<unknown>;
	const removed = map.has('removedAt');
	const fields = removed ? REMOVED_FIELDS : LIVE_FIELDS;
	const result: Record<string, unknown> = { state: removed ? 'removed' : 'live' };
	for (const [key, field] of map.entries()) {
		if (key === 'reactions' && !removed) {
			const reactions = readReactions(field);
			if (!reactions) return null;
			result.reactions = reactions;
			continue;
		}
		const check = fields[key];
		if (!check || !check(field)) return null;
		result[key] = field;
	}
	for (const key of removed ? REMOVED_REQUIRED : [...LIVE_REQUIRED, 'reactions']) {
		if (!(key in result)) return null;
	}
	return result as Post;
}

export function getPostsMap(doc: Y.Doc, root: PostRoot = 'posts'): Y.Map<unknown> {
	return doc.getMap(root);
}

/** Every well-formed post in the document, oldest first. */
export function listPosts(doc: Y.Doc, root: PostRoot = 'posts'): Post[] {
	const posts: Post[] = [];
	for (const value of getPostsMap(doc, root).values()) {
		const post = readPost(value);
		if (post) posts.push(post);
	}
	return posts.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

export function getPost(doc: Y.Doc, postId: string, root: PostRoot = 'posts'): Post | null {
	return readPost(getPostsMap(doc, root).get(postId));
}

export type Thread = { post: Post; replies: Post[] };

/**
 * Top-level posts with their replies, oldest first. A reply whose post is gone entirely (deleted while
 * the reply was being written) still shows, as a thread of its own, rather than silently vanishing.
 */
export function buildThreads(posts: Post[]): Thread[] {
	const threads = new Map<string, Thread>();
	for (const post of posts) if (!post.parentId) threads.set(post.id, { post, replies: [] });
	for (const post of posts) {
		if (!post.parentId) continue;
		const thread = threads.get(post.parentId);
		if (thread) thread.replies.push(post);
		else threads.set(post.id, { post, replies: [] });
	}
	return [...threads.values()].filter((t) => isThreadShown(t.post, t.replies.length));
}

/**
 * Whether a thread shows: a live post always; a facilitator's removal always, so the group sees that a
 * post was removed and that it was done on purpose; any other tombstone only while it still has replies
 * (on its own it says nothing worth keeping on screen).
 */
export function isThreadShown(post: Post, replies: number): boolean {
	return post.state === 'live' || post.removal === 'facilitator' || replies > 0;
}

/** Why a body cannot be posted, in words for the person writing it, or null if it can. */
export function describeBodyProblem(body: string): string | null {
	if (body.trim().length === 0) return 'Write something first.';
	if (body.length > LIMITS.bodyChars)
		return `That is ${body.length - LIMITS.bodyChars} characters over the ${LIMITS.bodyChars}-character limit. Could you shorten it, or split it into two posts?`;
	return null;
}

export class BoardInputError extends Error {}

function requireBody(body: string): string {
	const problem = describeBodyProblem(body);
	if (problem) throw new BoardInputError(problem);
	return body;
}

export type NewPost = {
	authorId: string;
	body: string;
	kind?: PostKind;
	parentId?: string;
	sessionId?: string;
	prompt?: string;
};

/** Adds a post (or a reply, with `parentId`) and returns its id. Written locally; the server decides. */
export function createPost(
	doc: Y.Doc,
	input: NewPost,
	{ root = 'posts', now = Date.now() }: { root?: PostRoot; now?: number } = {}
): string {
	const id = createBoardId();
	const entries: [string, unknown][] = [
		['id', id],
		['authorId', input.authorId],
		['createdAt', now],
		['kind', input.kind ?? 'post'],
		['body', requireBody(input.body)],
		['reactions', new Y.Map()]
	];
	if (input.parentId) entries.push(['parentId', input.parentId]);
	if (input.sessionId) entries.push(['sessionId', input.sessionId]);
	if (input.prompt) entries.push(['prompt', input.prompt]);
	doc.transact(() => getPostsMap(doc, root).set(id, new Y.Map(entries)));
	return id;
}

function getLiveMap(doc: Y.Doc, postId: string, root: PostRoot): Y.Map<unknown> {
	const map = getPostsMap(doc, root).get(postId);
	if (!(map instanceof Y.Map) || readPost(map)?.state !== 'live') {
		throw new BoardInputError('That post is no longer here.');
	}
	return map as Y.Map<unknown>;
}

export function editPost(
	doc: Y.Doc,
	postId: string,
	body: string,
	{ root = 'posts', now = Date.now() }: { root?: PostRoot; now?: number } = {}
): void {
	const map = getLiveMap(doc, postId, root);
	requireBody(body);
	doc.transact(() => {
		map.set('body', body);
		map.set('editedAt', now);
	});
}

function hasReplies(doc: Y.Doc, postId: string, root: PostRoot): boolean {
	for (const value of getPostsMap(doc, root).values()) {
		if (value instanceof Y.Map && value.get('parentId') === postId) return true;
	}
	return false;
}

/**
 * Removes a post for real: its entry is deleted, so its words leave every device and are
 * garbage-collected from the document. If others replied, a tombstone keeps the thread readable.
 */
export function removePost(
	doc: Y.Doc,
	postId: string,
	by: { userId: string; removal: 'author' | 'facilitator' },
	{ root = 'posts', now = Date.now() }: { root?: PostRoot; now?: number } = {}
): void {
	const posts = getPostsMap(doc, root);
	const post = readPost(posts.get(postId));
	if (!post) return;
	doc.transact(() => {
		if (!hasReplies(doc, postId, root)) {
			posts.delete(postId);
			return;
		}
		const entries: [string, unknown][] = [
			['id', post.id],
			['createdAt', post.createdAt],
			['kind', post.kind],
			['removedAt', now],
			['removedBy', by.userId],
			['removal', by.removal]
		];
		if (post.sessionId) entries.push(['sessionId', post.sessionId]);
		if (post.parentId) entries.push(['parentId', post.parentId]);
		posts.set(postId, new Y.Map(entries));
	});
}

/** Adds or takes back one person's reaction of one kind; returns whether it is now there. */
export function toggleReaction(
	doc: Y.Doc,
	postId: string,
	kind: ReactionKind,
	userId: string,
	{ root = 'posts', now = Date.now() }: { root?: PostRoot; now?: number } = {}
): boolean {
	const reactions = getLiveMap(doc, postId, root).get('reactions');
	if (!(reactions instanceof Y.Map)) throw new BoardInputError('That post is no longer here.');
	const key = reactionKey(kind, userId);
	if (reactions.has(key)) {
		reactions.delete(key);
		return false;
	}
	reactions.set(key, now);
	return true;
}

export { REACTION_KINDS };
