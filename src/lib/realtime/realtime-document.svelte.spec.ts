// What the browser's live document promises the person holding it, against the real realtime server and
// PostgreSQL: "saved" only once stored, offline words kept and sent, a refusal shown and the server's
// copy taken again, and who else is here as the server names them.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createPost, listPosts } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { DocumentView } from './document-view.svelte';
import type { RealtimeDocument } from './realtime-document.svelte';
import {
	findFreePort,
	loadStoredDocument,
	openInBrowser,
	startRealtimeCircle,
	startTestServer,
	waitFor,
	type TestServer
} from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { server, groups, facilitator: robin, document } = circle;
const [ada, bea] = circle.members;

const opened: RealtimeDocument[] = [];
const servers: TestServer[] = [];

function open(person = ada, on: { wsBase: string; origin: string } = server, network?: EventTarget): RealtimeDocument {
	const { board } = openInBrowser(on, person, document, { network });
	opened.push(board);
	board.start();
	return board;
}

afterEach(async () => {
	for (const board of opened.splice(0)) board.stop();
	for (const extra of servers.splice(0)) await extra.close();
});

async function storedBodies(): Promise<string[]> {
	return listPosts(await loadStoredDocument(document)).map((post) => (post.state === 'live' ? post.body : ''));
}

/** Holds every append to storage until the returned function is called: changes reach the server, unstored. */
async function holdStorage(): Promise<() => Promise<void>> {
	let release!: () => void;
	let locked!: () => void;
	const isLocked = new Promise<void>((resolve) => (locked = resolve));
	const holding = connection.db.transaction(async (tx) => {
		await tx.execute(sql`lock table realtime_update in exclusive mode`);
		locked();
		await new Promise<void>((resolve) => (release = resolve));
	});
	await isLocked;
	return async () => {
		release();
		await holding;
	};
}

describe('the browser’s live document', () => {
	it('goes live, learns it may write, and sees who else is here by the names the server knows', async () => {
		const board = open(ada);
		const other = open(bea);
		await waitFor(() => board.connection === 'live' && other.connection === 'live');
		expect(board.canWrite).toBe(true);
		// Each sees the other, never itself.
		await waitFor(() => board.presence.length === 1 && other.presence.length === 1, 10_000, 'presence');
		expect(board.presence[0]).toMatchObject({ name: 'Bea', role: 'member', typing: false });
		expect(other.presence[0]).toMatchObject({ name: 'Ada', role: 'member' });
		other.setTyping(true);
		await waitFor(() => board.presence[0]?.typing === true, 10_000, 'typing');
		other.stop();
		await waitFor(() => board.presence.length === 0, 10_000, 'leaving');
	});

	it('says "saved" only once the server has stored the change', async () => {
		const board = open(ada);
		await waitFor(() => board.connection === 'live');
		expect(board.save).toBe('saved');

		// Hold every append to storage: the change reaches the server but cannot be stored yet.
		const release = await holdStorage();
		createPost(board.doc, { authorId: ada.userId, body: 'Kept until stored.' });
		expect(board.save).toBe('saving');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(board.save).toBe('saving');
		expect(await storedBodies()).not.toContain('Kept until stored.');

		await release();
		await waitFor(() => board.save === 'saved', 10_000, 'saved');
		expect(await storedBodies()).toContain('Kept until stored.');
	});

	it('knows which entries are not stored yet, each until the server has stored it', async () => {
		const network = new EventTarget();
		const board = open(ada, server, network);
		await waitFor(() => board.connection === 'live');
		const stored = createPost(board.doc, { authorId: ada.userId, body: 'Already kept.' });
		await waitFor(() => board.save === 'saved');
		expect(board.isPending(['posts', stored])).toBe(false);

		network.dispatchEvent(new Event('offline'));
		const offline = createPost(board.doc, { authorId: ada.userId, body: 'Written offline.' });
		const reply = createPost(board.doc, { authorId: ada.userId, body: 'And a reply.', parentId: stored });
		expect(board.isPending(['posts', offline])).toBe(true);
		expect(board.isPending(['posts', reply])).toBe(true);
		// Replying does not touch the post replied to.
		expect(board.isPending(['posts', stored])).toBe(false);

		// Back online, but storage is held: sent is not stored.
		const release = await holdStorage();
		network.dispatchEvent(new Event('online'));
		await waitFor(() => board.connection === 'live', 10_000, 'live again');
		const later = createPost(board.doc, { authorId: ada.userId, body: 'Written once back.' });
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect([offline, reply, later].map((id) => board.isPending(['posts', id]))).toEqual([true, true, true]);
		expect(board.save).toBe('saving');

		await release();
		await waitFor(() => board.save === 'saved', 10_000, 'saved');
		expect([offline, reply, later].map((id) => board.isPending(['posts', id]))).toEqual([false, false, false]);
		expect(await storedBodies()).toEqual(
			expect.arrayContaining(['Written offline.', 'And a reply.', 'Written once back.'])
		);
	});

	it('keeps words written offline in memory and sends them when the server is back', async () => {
		const port = await findFreePort();
		const first = await startTestServer({ groups, port });
		const board = open(bea, first);
		await waitFor(() => board.connection === 'live');
		await first.close();
		await waitFor(() => board.connection === 'offline', 10_000, 'offline');

		const versionBefore = board.version;
		createPost(board.doc, { authorId: bea.userId, body: 'Written with no connection.' });
		expect(board.version).toBeGreaterThan(versionBefore);
		expect(board.save).toBe('saving');

		servers.push(await startTestServer({ groups, port }));
		await waitFor(() => board.connection === 'live' && board.save === 'saved', 15_000, 'saved after reconnecting');
		expect(await storedBodies()).toContain('Written with no connection.');
	});

	it('says offline the moment the device loses its network, keeps what is written, and sends it when back', async () => {
		const network = new EventTarget();
		const board = open(bea, server, network);
		await waitFor(() => board.connection === 'live');

		network.dispatchEvent(new Event('offline'));
		expect(board.connection).toBe('offline');
		createPost(board.doc, { authorId: bea.userId, body: 'Written on the train, between tunnels.' });
		expect(board.save).toBe('saving');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(board.connection).toBe('offline');
		expect(await storedBodies()).not.toContain('Written on the train, between tunnels.');

		network.dispatchEvent(new Event('online'));
		await waitFor(() => board.connection === 'live' && board.save === 'saved', 15_000, 'saved when back');
		expect(await storedBodies()).toContain('Written on the train, between tunnels.');
	});

	it('says offline, not connecting, while the server cannot be reached, and goes live when it can', async () => {
		const port = await findFreePort();
		const board = open(ada, { wsBase: `ws://127.0.0.1:${port}/realtime`, origin: `http://127.0.0.1:${port}` });
		expect(board.connection).toBe('connecting');
		await waitFor(() => board.connection === 'offline', 10_000, 'offline');
		servers.push(await startTestServer({ groups, port }));
		await waitFor(() => board.connection === 'live', 15_000, 'live');
	});

	it('on a refusal, tells the person why and starts again from the server’s copy', async () => {
		const board = open(ada);
		await waitFor(() => board.connection === 'live');
		createPost(board.doc, { authorId: ada.userId, body: 'Accepted.' });
		await waitFor(() => board.save === 'saved');
		const firstDoc = board.doc;
		const bodies = new DocumentView(board, (doc) =>
			listPosts(doc).map((post) => (post.state === 'live' ? post.body : ''))
		);

		createPost(board.doc, { authorId: robin.userId, body: 'Written in someone else’s name.' });
		expect(bodies.current).toContain('Written in someone else’s name.');
		await waitFor(() => board.refusal !== null, 10_000, 'the refusal');
		expect(board.refusal?.reason).toMatch(/own name/);
		expect(board.doc).not.toBe(firstDoc);

		await waitFor(() => board.connection === 'live' && board.save === 'saved', 10_000, 'resync');
		// Views follow the fresh document: the refused post is gone from the screen too, and from nowhere else
		// did it ever arrive.
		await waitFor(() => !bodies.current.includes('Written in someone else’s name.'), 10_000, 'the view');
		expect(bodies.current).toContain('Accepted.');
		expect(await storedBodies()).not.toContain('Written in someone else’s name.');
	});
});
