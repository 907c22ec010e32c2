// Archiving a board written by today's code: finished sessions and quiet alumni threads move into their
// archives whole (replies, reactions, pins, locks, rounds), nothing is lost or duplicated, the board's
// stored bytes no longer hold them, a second run moves nothing, and a board left alone gets archived
// when it unloads.
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { archiveDocumentName, groupDocumentName } from '$lib/board/document-names';
import { openRound, setMark } from '$lib/board/facilitation';
import { createPost, getPost, toggleReaction } from '$lib/board/posts';
import { generateId } from '$lib/server/db/ids';
import { group, programSession } from '$lib/server/db/schema';
import { connection } from '$lib/server/db';
import { ModerationError } from '$lib/server/moderation/errors';
import { flagPost } from '$lib/server/moderation/flags';
import { hidePost, redactPost, restorePost } from '$lib/server/moderation/posts';
import { changeDocument } from '$lib/server/realtime/server-writes';
import { DocumentStorage } from '$lib/server/realtime/storage';
import {
	TestClient,
	canonicalPosts,
	loadStoredDocument,
	startRealtimeCircle,
	testKeyring,
	waitFor
} from '$test/realtime';
import { ALUMNI_KEPT_MS, SESSION_KEPT_MS, archiveFinishedThreads, listArchives } from './archive';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.now();
const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { server, groups, facilitator: robin, groupId, document: board } = circle;
const [ada, bea] = circle.members;

async function addSession(groupId: string, startsAt: number, state: 'upcoming' | 'in_progress' | 'done', number = 1) {
	const id = generateId();
	await connection.db
		.insert(programSession)
		.values({ id, groupId, kind: 'journey', number, startsAt: new Date(startsAt), state });
	return id;
}

/** Every word stored for a document, decrypted: snapshot and update rows as PostgreSQL holds them. */
async function storedText(document: string): Promise<string> {
	const { updates } = await new DocumentStorage(connection.db, testKeyring, 'reader').load(document);
	return updates.map((update) => Buffer.from(update).toString('utf8')).join('\n');
}

function postsJson(doc: Y.Doc, ids: string[]): Record<string, unknown> {
	const posts = doc.getMap('posts').toJSON();
	return Object.fromEntries(ids.map((id) => [id, posts[id]]));
}

it('moves a finished session’s threads and rounds into its archive, whole, and keeps the rest on the board', async () => {
	const finished = await addSession(groupId, NOW - SESSION_KEPT_MS - DAY, 'done', 1);
	const recent = await addSession(groupId, NOW - 3 * DAY, 'done', 2);
	const next = await addSession(groupId, NOW + 4 * DAY, 'upcoming', 3);
	const ids: Record<string, string> = {};
	await changeDocument(board, (doc) => {
		const at = NOW - SESSION_KEPT_MS - DAY;
		ids.old = createPost(
			doc,
			{ authorId: ada.userId, body: 'Journey one: the ocean came back to me.', sessionId: finished },
			{ now: at }
		);
		ids.reply = createPost(
			doc,
			{ authorId: bea.userId, body: 'I saw water too.', parentId: ids.old },
			{ now: at + DAY }
		);
		toggleReaction(doc, ids.old, 'metoo', bea.userId, { now: at + DAY });
		setMark(doc, 'pins', ids.old, robin.userId, at + DAY);
		setMark(doc, 'locks', ids.old, robin.userId, at + DAY);
		ids.round = openRound(doc, { openedBy: robin.userId, prompt: 'How are you arriving?', sessionId: finished }, at);
		ids.recent = createPost(
			doc,
			{ authorId: ada.userId, body: 'Still integrating journey two.', sessionId: recent },
			{ now: NOW - 2 * DAY }
		);
		ids.next = createPost(
			doc,
			{ authorId: bea.userId, body: 'Looking forward to next week.', sessionId: next },
			{ now: NOW - DAY }
		);
		ids.home = createPost(doc, { authorId: ada.userId, body: 'A thought between sessions.' }, { now: at });
	});
	const before = await loadStoredDocument(board);
	const movedBefore = postsJson(before, [ids.old, ids.reply]);
	const roundBefore = before.getMap('rounds').toJSON()[ids.round];
	const staying = canonicalPosts(before).length;

	expect(await archiveFinishedThreads(groupId, NOW)).toBe(1);

	const live = await loadStoredDocument(board);
	const archive = await loadStoredDocument(archiveDocumentName(groupId, finished));
	expect(postsJson(archive, [ids.old, ids.reply])).toEqual(movedBefore);
	expect(archive.getMap('rounds').toJSON()[ids.round]).toEqual(roundBefore);
	expect(archive.getMap('pins').has(ids.old) && archive.getMap('locks').has(ids.old)).toBe(true);
	expect([...live.getMap('posts').keys()].sort()).toEqual([ids.recent, ids.next, ids.home].sort());
	expect(live.getMap('rounds').size + live.getMap('pins').size + live.getMap('locks').size).toBe(0);
	expect(canonicalPosts(live).length).toBeLessThan(staying);
	expect(await listArchives(groupId)).toEqual([finished]);
	// Gone from the board's storage, not only from its document.
	expect(await storedText(board)).not.toContain('the ocean came back');
	expect(await storedText(archiveDocumentName(groupId, finished))).toContain('the ocean came back');

	expect(await archiveFinishedThreads(groupId, NOW)).toBe(0);
});

it('puts quiet alumni threads away by the quarter they began in, and keeps a lively one on the board', async () => {
	const alumni = await addGroupOfAlumni(NOW - 2 * ALUMNI_KEPT_MS);
	const alumniBoard = groupDocumentName(alumni);
	const began = NOW - ALUMNI_KEPT_MS - 10 * DAY;
	const ids: Record<string, string> = {};
	await changeDocument(alumniBoard, (doc) => {
		ids.quiet = createPost(doc, { authorId: ada.userId, body: 'A year on, still grateful.' }, { now: began });
		ids.lively = createPost(doc, { authorId: bea.userId, body: 'Anyone for a walk?' }, { now: began });
		createPost(doc, { authorId: ada.userId, body: 'Yes, Saturday!', parentId: ids.lively }, { now: NOW - DAY });
		ids.fresh = createPost(doc, { authorId: ada.userId, body: 'New here this month.' }, { now: NOW - DAY });
	});
	expect(await archiveFinishedThreads(alumni, NOW)).toBe(1);
	const quarter = `${new Date(began).getUTCFullYear()}q${Math.floor(new Date(began).getUTCMonth() / 3) + 1}`;
	expect(await listArchives(alumni)).toEqual([quarter]);
	const archived = await loadStoredDocument(archiveDocumentName(alumni, quarter));
	expect([...archived.getMap('posts').keys()]).toEqual([ids.quiet]);
	const live = await loadStoredDocument(alumniBoard);
	expect(live.getMap('posts').has(ids.lively) && live.getMap('posts').has(ids.fresh)).toBe(true);
});

it('archives a board when it unloads, with nobody here having it open', async () => {
	const finished = await addSession(groupId, NOW - SESSION_KEPT_MS - 2 * DAY, 'done', 4);
	const client = new TestClient(server, board, { person: bea });
	let postId = '';
	try {
		await client.waitForSync();
		await changeDocument(board, (doc) => {
			postId = createPost(
				doc,
				{ authorId: bea.userId, body: 'Shared in journey four.', sessionId: finished },
				{ now: NOW - SESSION_KEPT_MS - 2 * DAY }
			);
		});
		await waitFor(() => client.doc.getMap('posts').has(postId));
	} finally {
		client.destroy();
	}
	await waitFor(() => server.realtime.loadedDocumentCount === 0, 10_000, 'the board to unload');
	const archive = archiveDocumentName(groupId, finished);
	await eventually(async () => (await listArchives(groupId)).includes(finished), 'the archive');
	expect((await loadStoredDocument(archive)).getMap('posts').has(postId)).toBe(true);
});

it('moderates in archives as on the board: a hidden post comes back where its thread now is; removal purges there', async () => {
	const finished = await addSession(groupId, NOW - SESSION_KEPT_MS - 3 * DAY, 'done', 5);
	const at = NOW - SESSION_KEPT_MS - 3 * DAY;
	let thread = '';
	let reply = '';
	await changeDocument(board, (doc) => {
		thread = createPost(
			doc,
			{ authorId: ada.userId, body: 'Journey five, and what it opened.', sessionId: finished },
			{ now: at }
		);
		reply = createPost(
			doc,
			{ authorId: bea.userId, body: 'A reply that says too much about someone.', parentId: thread },
			{ now: at }
		);
	});
	await hidePost({ groupId, actorId: robin.userId, postId: reply, reason: 'privacy' });
	expect(await archiveFinishedThreads(groupId, NOW)).toBe(1);
	const archive = archiveDocumentName(groupId, finished);

	await restorePost({ groupId, actorId: robin.userId, postId: reply });
	expect(getPost(await loadStoredDocument(archive), reply)).toMatchObject({ state: 'live', authorId: bea.userId });
	expect(getPost(await loadStoredDocument(board), reply)).toBeNull();

	await flagPost({ groupId, userId: bea.userId, postId: thread, document: archive });
	await redactPost({ groupId, actorId: robin.userId, postId: thread, document: archive, reason: 'privacy' });
	expect(getPost(await loadStoredDocument(archive), thread)).toMatchObject({
		state: 'removed',
		removal: 'facilitator'
	});
	expect(await storedText(archive)).not.toContain('what it opened');

	// Only this group's board and archives: another group's archive is not "found" through this one.
	const elsewhere = archiveDocumentName(await groups.createGroup(robin), finished);
	await expect(
		hidePost({ groupId, actorId: robin.userId, postId: reply, document: elsewhere, reason: 'privacy' })
	).rejects.toThrow(ModerationError);
	await expect(flagPost({ groupId, userId: ada.userId, postId: reply, document: 'staff:' + groupId })).rejects.toThrow(
		ModerationError
	);
});

async function addGroupOfAlumni(since: number): Promise<string> {
	const id = await groups.createGroup(robin);
	await connection.db
		.update(group)
		.set({ lifecycle: 'alumni', lifecycleChangedAt: new Date(since) })
		.where(eq(group.id, id));
	return id;
}

async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
