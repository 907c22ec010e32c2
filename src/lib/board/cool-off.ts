/*
 * Cool-off after a journey: for a number of hours the group chooses, a member's new posts to the group
 * wait in their own journal ("Read it once more before it is shared") instead of going to the board.
 *
 * A window runs from a journey session's start until `hours` after its end. The schedule records when a
 * session starts, not how long it lasts, so a journey session counts as JOURNEY_SESSION_HOURS long. The
 * server computes the windows from the schedule and hands them to the change policy, which refuses a
 * member's new top-level group post inside one (policy.ts); the browser uses the same functions to hold
 * the words before they are sent. Replies, reactions, edits and round answers stay possible: holding each
 * other in a thread and answering in the room is not what the pause is for. docs/cool-off.md.
 *
 * Held posts are `held` entries in the author's journal (schema.ts, HeldPost): only the author's devices
 * ever have them. Sharing one is a new group post written by the author, so the policy judges it like any
 * other: it can go once the window has ended.
 */
import * as Y from 'yjs';
import { createBoardId } from './ids';
import { createPost, describeBodyProblem, BoardInputError, type NewPost } from './posts';
import { isHeldPost, type HeldPost } from './schema';

/** How long the schedule counts a journey session to last, for the cool-off that follows it. */
export const JOURNEY_SESSION_HOURS = 3;

/** The choices a group has; 0 is off (the default). */
export const COOL_OFF_CHOICES = [0, 12, 24, 48] as const;

export type CoolOffWindow = { from: number; until: number };

const HOUR_MS = 60 * 60 * 1000;

/** The cool-off windows of a group's journey sessions (their start times, ms); none when `hours` is 0. */
export function planCoolOff(journeyStarts: readonly number[], hours: number): CoolOffWindow[] {
	if (!(hours > 0)) return [];
	return journeyStarts
		.map((from) => ({ from, until: from + (JOURNEY_SESSION_HOURS + hours) * HOUR_MS }))
		.sort((a, b) => a.from - b.from);
}

/** When the cool-off in force at `now` ends (ms), or null when there is none. Overlapping windows join. */
export function findCoolOffEnd(windows: readonly CoolOffWindow[] | undefined, now: number): number | null {
	let end: number | null = null;
	for (const window of windows ?? []) {
		if (window.from <= now && now < window.until) end = Math.max(end ?? 0, window.until);
	}
	if (end === null) return null;
	// A window that starts before the one in force ends extends it.
	for (const window of windows ?? []) if (window.from <= end && window.until > end) end = window.until;
	return end;
}

export function getHeldMap(journal: Y.Doc): Y.Map<unknown> {
	return journal.getMap('held');
}

/** The posts held in this journal for one group, oldest first. */
export function listHeldPosts(journal: Y.Doc, groupId: string): HeldPost[] {
	const held: HeldPost[] = [];
	for (const value of getHeldMap(journal).values()) {
		if (isHeldPost(value) && (value as HeldPost).groupId === groupId) held.push(value as HeldPost);
	}
	return held.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
}

export type NewHeldPost = Pick<HeldPost, 'groupId' | 'body'> & { sessionId?: string; prompt?: string };

/** Holds words meant for the group in the author's journal; returns the held post's id. */
export function holdPost(journal: Y.Doc, input: NewHeldPost, now = Date.now()): string {
	const problem = describeBodyProblem(input.body);
	if (problem) throw new BoardInputError(problem);
	const id = createBoardId();
	const held: HeldPost = {
		id,
		groupId: input.groupId,
		kind: input.prompt ? 'insight' : 'post',
		body: input.body,
		at: now
	};
	if (input.sessionId) held.sessionId = input.sessionId;
	if (input.prompt) held.prompt = input.prompt;
	getHeldMap(journal).set(id, held);
	return id;
}

function requireHeld(journal: Y.Doc, heldId: string): HeldPost {
	const value = getHeldMap(journal).get(heldId);
	if (!isHeldPost(value)) throw new BoardInputError('That post is no longer waiting here.');
	return value as HeldPost;
}

/** Changes the words of a held post (replaced whole: one author, one value). */
export function editHeldPost(journal: Y.Doc, heldId: string, body: string, now = Date.now()): void {
	const problem = describeBodyProblem(body);
	if (problem) throw new BoardInputError(problem);
	const held = requireHeld(journal, heldId);
	getHeldMap(journal).set(heldId, { ...held, body, editedAt: Math.max(now, held.at) });
}

/** The held words as a post by their author (its kind, session and prompt kept). */
function asPost(held: HeldPost, authorId: string): NewPost {
	const post: NewPost = { authorId, body: held.body, kind: held.kind };
	if (held.sessionId) post.sessionId = held.sessionId;
	if (held.prompt) post.prompt = held.prompt;
	return post;
}

/** Keeps a held post as a private journal entry: it will not go to the group. Returns the entry's id. */
export function keepHeldPost(journal: Y.Doc, heldId: string, authorId: string, now = Date.now()): string {
	const held = requireHeld(journal, heldId);
	let id = '';
	journal.transact(() => {
		id = createPost(journal, asPost(held, authorId), { now });
		getHeldMap(journal).delete(heldId);
	});
	return id;
}

/**
 * Writes a held post to the group's board as the author's post. The journal entry is removed separately
 * (`releaseHeldPost`), once the board has saved it: two documents, and the words must never be in neither.
 */
export function shareHeldPost(board: Y.Doc, held: HeldPost, authorId: string, now = Date.now()): string {
	return createPost(board, asPost(held, authorId), { now });
}

/** Lets a held post go from the journal (after it was shared, or when its author no longer wants it). */
export function releaseHeldPost(journal: Y.Doc, heldId: string): void {
	getHeldMap(journal).delete(heldId);
}

/** How many posts this journal holds for the group: what facilitators may know, never the words. */
export function countHeldPosts(journal: Y.Doc, groupId: string): number {
	return listHeldPosts(journal, groupId).length;
}
