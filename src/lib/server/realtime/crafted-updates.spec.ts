// Updates a well-behaved board client would never send: each is refused, the sender is told, and the
// change reaches neither storage nor anyone else.
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { afterAll, describe, expect, it } from 'vitest';
import { setSessionPhase } from '$lib/board/facilitation';
import { createPost, editPost, getPost, listPosts, removePost, toggleReaction } from '$lib/board/posts';
import { CloseCode, encodeSyncStep2, encodeSyncUpdate } from './protocol';
import { RawSocket, TestClient, loadStoredDocument, startRealtimeCircle, waitFor } from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'], limits: { maxMessageBytes: 64 * 1024 } });
const { server, facilitator: robin, document } = circle;
const [ada, bea] = circle.members;
const adaClient = new TestClient(server, document, { person: ada });
const observer = new TestClient(server, document, { person: robin });
await Promise.all([adaClient.waitForSync(), observer.waitForSync()]);
const postId = createPost(adaClient.doc, { authorId: ada.userId, body: 'What came up for me was grief.' });
await adaClient.waitForSaved();
await waitFor(() => getPost(observer.doc, postId) !== null);

afterAll(() => {
	adaClient.destroy();
	observer.destroy();
});

/**
 * Ada makes a harmless change and waits until the observer has it. Changes reach a connection in the
 * order the server accepted them, so anything forwarded before it would have arrived by then.
 */
async function barrier() {
	const marker = createPost(adaClient.doc, { authorId: ada.userId, body: 'Still here.' });
	await adaClient.waitForSaved();
	await waitFor(() => getPost(observer.doc, marker) !== null);
}

/** A copy of the board as the server has it (the observer's), to craft updates on, and its state vector. */
function serverCopy() {
	const scratch = new Y.Doc();
	Y.applyUpdate(scratch, Y.encodeStateAsUpdate(observer.doc));
	return { scratch, sv: Y.encodeStateVector(scratch) };
}

/** A bare socket of Bea's on the board, open, for crafted messages. */
async function openRawAsBea(): Promise<RawSocket> {
	const raw = RawSocket.forDocument(server, document, bea);
	await raw.opened;
	return raw;
}

/** Bea connects with a fresh client, makes `change` locally, and we collect the server's answer. */
async function attempt(change: (doc: Y.Doc) => void, options: { doc?: Y.Doc } = {}) {
	const client = new TestClient(server, document, { person: bea, doc: options.doc });
	try {
		await client.waitForSync();
		await waitFor(() => client.settled);
		change(client.doc);
		await waitFor(
			() => client.refusals.length > 0 || client.closeCodes.length > 0 || (client.settled && client.sentUpdates > 1)
		);
		await barrier();
		return { refusals: client.refusals.map((refusal) => refusal.reason), closeCodes: [...client.closeCodes] };
	} finally {
		client.destroy();
	}
}

function expectUnchanged(stored: Y.Doc, seen: Y.Doc) {
	for (const doc of [stored, seen]) {
		const post = getPost(doc, postId);
		expect(post).toMatchObject({ authorId: ada.userId, body: 'What came up for me was grief.' });
		expect(post && 'reactions' in post ? post.reactions : []).toEqual([]);
		expect(doc.getMap('facilitation').size).toBe(0);
		expect(
			[...doc.share.keys()].filter((name) => !['posts', 'rounds', 'facilitation', 'pins', 'locks'].includes(name))
		).toEqual([]);
	}
}

describe('refused, and in neither storage nor anyone else’s document', () => {
	it("editing another member's post", async () => {
		const { refusals } = await attempt((doc) => editPost(doc, postId, 'Bea rewrote this.'));
		expect(refusals).toEqual([expect.stringMatching(/^policy: /)]);
		expectUnchanged(await loadStoredDocument(document), observer.doc);
	});

	it("deleting another member's post", async () => {
		const { refusals } = await attempt((doc) => removePost(doc, postId, { userId: bea.userId, removal: 'author' }));
		expect(refusals).toEqual([expect.stringMatching(/^policy: /)]);
		expectUnchanged(await loadStoredDocument(document), observer.doc);
	});

	it('reacting in another member’s name', async () => {
		const { refusals } = await attempt((doc) => toggleReaction(doc, postId, 'metoo', ada.userId));
		expect(refusals).toEqual([expect.stringMatching(/^policy: /)]);
		expectUnchanged(await loadStoredDocument(document), observer.doc);
	});

	it('writing facilitator state (the session phase) as a member', async () => {
		const { refusals } = await attempt((doc) =>
			setSessionPhase(doc, { sessionId: null, phase: 'quiet', by: bea.userId })
		);
		expect(refusals).toEqual([expect.stringMatching(/^policy: /)]);
		expectUnchanged(await loadStoredDocument(document), observer.doc);
	});

	it('writing outside the document schema', async () => {
		const { refusals } = await attempt((doc) => doc.getArray('anything').push(['not part of a board']));
		expect(refusals).toEqual([expect.stringMatching(/^policy: /)]);
		expectUnchanged(await loadStoredDocument(document), observer.doc);
	});

	it("writing under another user's Yjs client id", async () => {
		// Bea's device takes Ada's client id and continues where Ada's changes end.
		const { scratch, sv } = serverCopy();
		scratch.clientID = adaClient.doc.clientID;
		const forged = createPost(scratch, { authorId: bea.userId, body: 'Posted under Ada’s client id.' });

		const raw = await openRawAsBea();
		raw.send(encodeSyncUpdate(Y.encodeStateAsUpdate(scratch, sv)));
		await waitFor(() => raw.refusals.length > 0);
		expect(raw.refusals).toEqual(['client-id']);
		raw.close();
		await barrier();
		expect(getPost(await loadStoredDocument(document), forged)).toBeNull();
		expect(getPost(observer.doc, forged)).toBeNull();
	});

	it('an update that depends on changes the server never received (it would stay pending)', async () => {
		const { scratch, sv: before } = serverCopy();
		createPost(scratch, { authorId: bea.userId, body: 'first' });
		const middle = Y.encodeStateVector(scratch);
		const dependent = createPost(scratch, { authorId: bea.userId, body: 'second, built on the first' });
		const second = Y.encodeStateAsUpdate(scratch, middle);
		expect(Y.encodeStateAsUpdate(scratch, before).byteLength).toBeGreaterThan(second.byteLength);

		const raw = await openRawAsBea();
		raw.send(encodeSyncUpdate(second));
		// It waits for the client's answer to the server's sync step 1 (reconnect.spec.ts), which brings nothing.
		raw.send(encodeSyncStep2(new Uint8Array([0, 0])));
		await waitFor(() => raw.refusals.length === 2);
		expect(raw.refusals).toEqual(['incomplete', 'incomplete']);
		raw.close();
		await barrier();
		expect(getPost(await loadStoredDocument(document), dependent)).toBeNull();
		expect(getPost(observer.doc, dependent)).toBeNull();
	});

	it('a truncated update', async () => {
		const { scratch, sv } = serverCopy();
		const truncatedId = createPost(scratch, { authorId: bea.userId, body: 'This one gets cut short in transit.' });
		const update = Y.encodeStateAsUpdate(scratch, sv);

		const raw = await openRawAsBea();
		raw.send(encodeSyncUpdate(update.subarray(0, Math.floor(update.byteLength / 2))));
		await waitFor(() => raw.refusals.length > 0);
		expect(raw.refusals).toEqual(['malformed']);
		raw.close();
		await barrier();
		expect(getPost(await loadStoredDocument(document), truncatedId)).toBeNull();
		expect(getPost(observer.doc, truncatedId)).toBeNull();
	});

	it('garbage that is not the protocol at all (closed with 4400)', async () => {
		const raw = await openRawAsBea();
		raw.send(new Uint8Array([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4]));
		expect(await raw.waitForClose()).toBe(CloseCode.badRequest);
		await barrier();
		expectUnchanged(await loadStoredDocument(document), observer.doc);
	});

	it('an oversized message (closed with 4413)', async () => {
		const { scratch, sv } = serverCopy();
		// Many posts at once: each within the body limit, together over the message limit.
		const ids: string[] = [];
		for (let i = 0; i < 40; i++) ids.push(createPost(scratch, { authorId: bea.userId, body: 'x'.repeat(3000) }));
		const encoder = encoding.createEncoder();
		encoding.writeUint8Array(encoder, encodeSyncUpdate(Y.encodeStateAsUpdate(scratch, sv)));
		const message = encoding.toUint8Array(encoder);
		expect(message.byteLength).toBeGreaterThan(64 * 1024);

		const raw = await openRawAsBea();
		raw.send(message);
		expect(await raw.waitForClose()).toBe(CloseCode.tooBig);
		await barrier();
		const stored = await loadStoredDocument(document);
		expect(ids.filter((id) => getPost(stored, id) !== null || getPost(observer.doc, id) !== null)).toEqual([]);
	});
});

describe('repeated violations', () => {
	it('close the connection with 4408 after the third refusal', async () => {
		const client = new TestClient(server, document, { person: bea });
		try {
			await client.waitForSync();
			for (let i = 0; i < 3; i++) editPost(client.doc, postId, `attempt ${i}`);
			expect(await client.waitForClose()).toBe(CloseCode.policy);
			expect(client.refusals).toHaveLength(3);
		} finally {
			client.destroy();
		}
		expectUnchanged(await loadStoredDocument(document), observer.doc);
	});
});

describe('legitimate changes from the same person still go through', () => {
	it("Bea's own post is stored and seen", async () => {
		const client = new TestClient(server, document, { person: bea });
		try {
			await client.waitForSync();
			const own = createPost(client.doc, { authorId: bea.userId, body: 'Me too, grief came up.' });
			await client.waitForSaved();
			await waitFor(() => getPost(observer.doc, own) !== null);
			expect(getPost(await loadStoredDocument(document), own)).toMatchObject({ authorId: bea.userId });
			expect((await loadStoredDocument(document)).getMap('posts').toJSON()).toEqual(
				observer.doc.getMap('posts').toJSON()
			);
			expect(listPosts(observer.doc).length).toBeGreaterThan(1);
		} finally {
			client.destroy();
		}
	});
});
