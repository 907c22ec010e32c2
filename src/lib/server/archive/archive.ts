/*
 * Archiving: a board that stays quick to open for years. Finished threads move out of the group's board
 * (`group:<g>`) into archive documents (`archive:<g>:<period>`), so opening the board loads what is
 * current, and an earlier session loads when someone opens it.
 *
 *   a program session's threads      once the session is done and four weeks have passed since it began
 *                                     (integration goes on after a journey), all together, with its rounds
 *   alumni threads (the board's home)   once the group is alumni, per thread: begun over sixty days ago and
 *                                     quiet for three weeks, into the quarter they began in (`2026q3`)
 *
 * A thread keeps its id, replies, reactions, pin and lock, and stays where the board shows it
 * ($lib/board/periods.ts). Moving is one server write over the board and its archives, stored in one
 * statement (all or nothing), after which the board is compacted so its stored bytes shrink too. In an
 * archive the thread still takes replies, reactions, edits and removals; no new thread starts there.
 * Which archives exist is read from storage itself (document names), so the list can never disagree with
 * what is stored. Runs when a board is unloaded (nobody has it open here) and on demand.
 */
import * as Y from 'yjs';
import { archiveDocumentName, groupDocumentName, quarterOf } from '$lib/board/document-names';
import { readRound } from '$lib/board/facilitation';
import { placeThread, type CircleTime } from '$lib/board/periods';
import { readPost, type Post } from '$lib/board/posts';
import { db } from '../db';
import type { Group, ProgramSession } from '../db/schema';
import { getGroup } from '../groups/groups';
import { listSessions } from '../schedule/program';
import { changeDocuments, compactDocument, readDocument } from '../realtime/server-writes';
import { listStoredDocuments } from '../realtime/storage';
import { isPurgeStarted } from '../retention/holds';

const DAY = 24 * 60 * 60 * 1000;
export const SESSION_KEPT_MS = 28 * DAY;
export const ALUMNI_KEPT_MS = 60 * DAY;
export const ALUMNI_QUIET_MS = 21 * DAY;

/** The board's sense of time: its sessions, and since when it is alumni (as the board page has it). */
export function circleTimeOf(
	group: Pick<Group, 'lifecycle' | 'lifecycleChangedAt'>,
	sessions: Pick<ProgramSession, 'id'>[]
): CircleTime {
	return {
		sessionIds: new Set(sessions.map((session) => session.id)),
		alumniSince: group.lifecycle === 'alumni' ? group.lifecycleChangedAt.getTime() : null
	};
}

/** The periods a group has archives for (session ids and quarters). */
export async function listArchives(groupId: string): Promise<string[]> {
	const prefix = archiveDocumentName(groupId, '2000q1').slice(0, -'2000q1'.length);
	return (await listStoredDocuments(db, prefix)).map((name) => name.slice(prefix.length));
}

type Plan = Map<string, { threads: string[]; rounds: string[] }>;

/** Which threads (by their first post's id) and rounds of a board are finished, by the archive they go to. */
export function planArchive(
	doc: Y.Doc,
	time: CircleTime,
	sessions: Pick<ProgramSession, 'id' | 'state' | 'startsAt'>[],
	now: number
): Plan {
	const finished = new Set(
		sessions.filter((s) => s.state === 'done' && s.startsAt.getTime() <= now - SESSION_KEPT_MS).map((s) => s.id)
	);
	const posts = doc.getMap('posts');
	const lastActivity = new Map<string, number>();
	const roots: Post[] = [];
	for (const value of posts.values()) {
		const post = readPost(value);
		if (!post) continue;
		if (post.parentId === undefined) roots.push(post);
		const thread = post.parentId ?? post.id;
		lastActivity.set(thread, Math.max(lastActivity.get(thread) ?? 0, activityOf(post)));
	}
	const plan: Plan = new Map();
	const add = (period: string, kind: 'threads' | 'rounds', id: string) => {
		let entry = plan.get(period);
		if (!entry) plan.set(period, (entry = { threads: [], rounds: [] }));
		entry[kind].push(id);
	};
	for (const root of roots) {
		const session = placeThread(root, time);
		if (session !== null) {
			if (finished.has(session)) add(session, 'threads', root.id);
		} else if (
			time.alumniSince !== null &&
			root.createdAt <= now - ALUMNI_KEPT_MS &&
			(lastActivity.get(root.id) ?? 0) <= now - ALUMNI_QUIET_MS
		) {
			add(quarterOf(root.createdAt), 'threads', root.id);
		}
	}
	for (const value of doc.getMap('rounds').values()) {
		const round = readRound(value);
		if (!round || round.sessionId === undefined) continue;
		if (placeThread({ sessionId: round.sessionId, createdAt: round.openedAt }, time) !== round.sessionId) continue;
		if (finished.has(round.sessionId)) add(round.sessionId, 'rounds', round.id);
	}
	return plan;
}

function activityOf(post: Post): number {
	if (post.state === 'removed') return Math.max(post.createdAt, post.removedAt);
	return Math.max(post.createdAt, post.editedAt ?? 0, ...post.reactions.map((reaction) => reaction.at));
}

/**
 * Moves the group's finished threads and rounds into their archives; returns how many threads moved.
 * Safe to run any time, and again: what has moved is no longer on the board.
 */
export async function archiveFinishedThreads(groupId: string, now = Date.now()): Promise<number> {
	const [group, sessions, purging] = await Promise.all([
		getGroup(groupId),
		listSessions(groupId),
		isPurgeStarted(groupId)
	]);
	// A group whose records are being deleted gets nothing written back (retention/purge.ts).
	if (!group || purging) return 0;
	const time = circleTimeOf(group, sessions);
	const board = groupDocumentName(groupId);
	const current = await readDocument(board);
	const periods = (() => {
		try {
			return [...planArchive(current, time, sessions, now).keys()];
		} finally {
			current.destroy();
		}
	})();
	if (periods.length === 0) return 0;

	const moved = await changeDocuments(
		[board, ...periods.map((period) => archiveDocumentName(groupId, period))],
		([live, ...archives]) => {
			// Decided again on the copy being changed: the board may have changed since it was read.
			const plan = planArchive(live, time, sessions, now);
			let threads = 0;
			periods.forEach((period, index) => {
				const entry = plan.get(period);
				if (!entry) return;
				threads += moveThreads(live, archives[index], entry.threads);
				for (const roundId of entry.rounds) moveEntry(live, archives[index], 'rounds', roundId);
			});
			return threads;
		}
	);
	await compactDocument(board);
	return moved;
}

function moveThreads(from: Y.Doc, to: Y.Doc, rootIds: string[]): number {
	const roots = new Set(rootIds);
	const replies: string[] = [];
	for (const [id, value] of from.getMap('posts').entries()) {
		const parentId = readPost(value)?.parentId;
		if (parentId !== undefined && roots.has(parentId)) replies.push(id);
	}
	for (const id of [...rootIds, ...replies]) moveEntry(from, to, 'posts', id);
	for (const id of rootIds) {
		moveEntry(from, to, 'pins', id);
		moveEntry(from, to, 'locks', id);
	}
	return rootIds.length;
}

function moveEntry(from: Y.Doc, to: Y.Doc, root: string, key: string): void {
	const source = from.getMap(root);
	if (!source.has(key)) return;
	const target = to.getMap(root);
	if (!target.has(key)) target.set(key, copy(source.get(key)));
	source.delete(key);
}

/** A deep copy for another document: a Y type belongs to one document only. */
function copy(value: unknown): unknown {
	if (value instanceof Y.Map)
		return new Y.Map([...value.entries()].map(([key, inner]) => [key, copy(inner)] as [string, unknown]));
	return value;
}
