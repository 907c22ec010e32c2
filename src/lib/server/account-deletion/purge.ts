/*
 * Account deletion, the documents' part: a person's words leave every document they could have written
 * to, and then leave storage (each document is compacted, so no update row or snapshot keeps them).
 *
 *   group:<g>, archive:<g>:<period>   their posts and replies become "departed" tombstones (no author, no
 *                                     words, no reactions; others' replies keep their thread and the id
 *                                     can never be used again); a post of theirs a facilitator had hidden
 *                                     becomes the same tombstone; their reactions on anyone's post and
 *                                     their round answers are removed; an alumni round they opened keeps
 *                                     its answers but not their question
 *   staff:<g>                         the hidden copies of their posts are dropped, their reactions leave
 *                                     other hidden posts, and flags lose their reason (which may quote
 *                                     them) when they raised the flag, it was about their words, or it is
 *                                     the alert of their urgent message; such flags are resolved
 *   care:<g>:<them>                   emptied: posts (facilitators' replies too), notices
 *   journal:<them>                    emptied
 *
 * Facilitators' staff notes stay: they are the practice's clinical notes, not the person's words.
 * Everything goes through server-writes.ts (the stored copy is changed, stored, sent to open rooms) and
 * its compactDocument. The caller has authorised the deletion and ended the person's sessions and
 * memberships first, so no device of theirs can write while this runs.
 */
import * as Y from 'yjs';
import {
	archiveDocumentName,
	careDocumentName,
	groupDocumentName,
	journalDocumentName,
	staffDocumentName
} from '$lib/board/document-names';
import { readPost } from '$lib/board/posts';
import { ROOTS, isFlag, isHiddenPost, parseReactionKey, type Flag, type HiddenPost } from '$lib/board/schema';
import { listArchives } from '../archive/archive';
import { placeholder, resolveFlagsAbout } from '../moderation/posts';
import { withDocument } from '../archive/read';
import { changeDocument, compactDocument } from '../realtime/server-writes';

/** What an alumni round the person opened asks once their words are gone. */
export const DEPARTED_ROUND_PROMPT = 'A former member opened this round; their words were removed.';

type Purge = { userId: string; actorId: string; at: number };

/** Every post id of the person's in a board document, live or held by a "hidden" placeholder. */
function purgeBoard(doc: Y.Doc, purge: Purge, hiddenByThem: Set<string>): { posts: string[]; changed: boolean } {
	const posts = doc.getMap('posts');
	const theirs: string[] = [];
	let changed = false;
	for (const [postId, value] of [...posts.entries()]) {
		const post = readPost(value);
		if (!post) {
			// Nothing malformed gets past the policy; were it ever stored, a stray entry of theirs still goes.
			if (value instanceof Y.Map && value.get('authorId') === purge.userId) {
				posts.delete(postId);
				changed = true;
			}
			continue;
		}
		const isTheirs =
			post.state === 'live' ? post.authorId === purge.userId : post.removal === 'hidden' && hiddenByThem.has(postId);
		if (isTheirs) {
			theirs.push(postId);
			posts.set(postId, placeholder(post, 'departed', purge.actorId, purge.at));
			changed = true;
			continue;
		}
		if (post.state !== 'live') continue;
		const reactions = (value as Y.Map<unknown>).get('reactions') as Y.Map<unknown>;
		for (const key of [...reactions.keys()]) {
			if (parseReactionKey(key)?.userId !== purge.userId) continue;
			reactions.delete(key);
			changed = true;
		}
	}
	// Read raw rather than through readRound, so that no answer of theirs survives in a round that does
	// not read as well formed.
	for (const value of doc.getMap('rounds').values()) {
		if (!(value instanceof Y.Map)) continue;
		const round = value as Y.Map<unknown>;
		const answers = round.get('answers');
		if (answers instanceof Y.Map && answers.has(purge.userId)) {
			answers.delete(purge.userId);
			changed = true;
		}
		if (round.get('openedBy') === purge.userId && round.get('prompt') !== DEPARTED_ROUND_PROMPT) {
			round.set('prompt', DEPARTED_ROUND_PROMPT);
			changed = true;
		}
		if (round.get('spotlight') === purge.userId) {
			round.set('spotlight', null);
			changed = true;
		}
	}
	return { posts: theirs, changed };
}

/** Ids of the person's posts a facilitator has hidden: their words wait in the staff space. */
function listHiddenByThem(groupId: string, userId: string): Promise<Set<string>> {
	return withDocument(staffDocumentName(groupId), (doc) => {
		const ids = new Set<string>();
		for (const [postId, value] of doc.getMap('hidden').entries()) {
			if (isHiddenPost(value) && (value as HiddenPost).post.authorId === userId) ids.add(postId);
		}
		return ids;
	});
}

function purgeStaff(doc: Y.Doc, purge: Purge, groupId: string, theirPosts: Set<string>): void {
	const hidden = doc.getMap('hidden');
	for (const [postId, value] of [...hidden.entries()]) {
		if (!isHiddenPost(value)) continue;
		const entry = value as HiddenPost;
		if (entry.post.authorId === purge.userId) {
			hidden.delete(postId);
			continue;
		}
		const reactions = Object.entries(entry.post.reactions ?? {});
		const kept = reactions.filter(([key]) => parseReactionKey(key)?.userId !== purge.userId);
		if (kept.length !== reactions.length) {
			hidden.set(postId, {
				...entry,
				post: { ...entry.post, reactions: Object.fromEntries(kept) }
			} satisfies HiddenPost);
		}
	}
	const care = careDocumentName(groupId, purge.userId);
	for (const value of [...doc.getMap('flags').values()]) {
		if (!isFlag(value)) continue;
		const flag = value as Flag;
		if (theirPosts.has(flag.postId) || flag.document === care) {
			resolveFlagsAbout(doc, flag.postId, purge.actorId, purge.at, 'removed', true);
		} else if (flag.flaggedBy === purge.userId && flag.reason !== undefined) {
			const { reason: _reason, ...rest } = flag;
			doc.getMap('flags').set(flag.id, rest satisfies Flag);
		}
	}
}

/** Deletes every entry of every root: the document stays, empty. */
function emptyDocument(doc: Y.Doc, roots: string[]): void {
	for (const root of roots) {
		const map = doc.getMap(root);
		for (const key of [...map.keys()]) map.delete(key);
	}
}

function listBoards(groupId: string): Promise<string[]> {
	return listArchives(groupId).then((periods) => [
		groupDocumentName(groupId),
		...periods.map((period) => archiveDocumentName(groupId, period))
	]);
}

/**
 * Removes the person's words from one group's documents and compacts each. The boards are gone over until
 * a pass finds nothing more, so a thread that moved into a new archive while a pass ran is caught. Every
 * board is compacted even when nothing of theirs is live on it: its update rows may still hold words they
 * edited away or deleted themselves moments ago.
 */
export async function purgeGroupDocuments(groupId: string, purge: Purge): Promise<void> {
	const hiddenByThem = await listHiddenByThem(groupId, purge.userId);
	const theirPosts = new Set<string>(hiddenByThem);
	for (let pass = 0; pass < 3; pass++) {
		let changed = false;
		for (const board of await listBoards(groupId)) {
			const result = await changeDocument(board, (doc) => purgeBoard(doc, purge, hiddenByThem));
			for (const postId of result.posts) theirPosts.add(postId);
			changed ||= result.changed;
		}
		if (!changed) break;
	}
	const staff = staffDocumentName(groupId);
	await changeDocument(staff, (doc) => purgeStaff(doc, purge, groupId, theirPosts));
	const care = careDocumentName(groupId, purge.userId);
	await changeDocument(care, (doc) => emptyDocument(doc, ['posts', 'notices']));
	for (const name of [...(await listBoards(groupId)), staff, care]) await compactDocument(name);
}

/** Empties the person's journal (entries, intentions, private notes, posts held in a cool-off) and compacts it. */
export async function purgeJournal(userId: string): Promise<void> {
	const journal = journalDocumentName(userId);
	await changeDocument(journal, (doc) => emptyDocument(doc, [...ROOTS.journal]));
	await compactDocument(journal);
}
