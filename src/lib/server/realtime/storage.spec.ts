// What PostgreSQL holds: ciphertext only, bound to its document; compaction folds updates into one
// snapshot and leaves nothing of deleted content behind; idle documents unload and come back intact.
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { groupDocumentName } from '$lib/board/document-names';
import { createPost, getPost, removePost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { realtimeClient, realtimeSnapshot, realtimeUpdate } from '$lib/server/db/schema';
import { randomBytes } from 'node:crypto';
import { generateId } from '$lib/server/db/ids';
import { DataKeyring, UnreadableDataError } from './encryption';
import { AppendSequence, DocumentStorage, SequenceBrokenError } from './storage';
import { TestClient, loadStoredDocument, startRealtimeCircle, testKeyring, waitFor } from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada'], limits: { idleUnloadMs: 100 } });
const { server, facilitator: robin, document } = circle;
const [ada] = circle.members;

const SECRET = 'A confidential sentence about my journey.';

function containsText(bytes: Uint8Array, text: string): boolean {
	return Buffer.from(bytes).includes(Buffer.from(text, 'utf8'));
}

async function storedRows() {
	const updates = await connection.db.select().from(realtimeUpdate).where(eq(realtimeUpdate.document, document));
	const snapshots = await connection.db.select().from(realtimeSnapshot).where(eq(realtimeSnapshot.document, document));
	return { updates, snapshots };
}

describe('stored bytes', () => {
	it('are encrypted, name their key, and only open for their own document', async () => {
		const client = new TestClient(server, document, { person: ada });
		try {
			await client.waitForSync();
			createPost(client.doc, { authorId: ada.userId, body: SECRET });
			await client.waitForSaved();
		} finally {
			client.destroy();
		}
		const { updates } = await storedRows();
		expect(updates.length).toBeGreaterThan(0);
		for (const row of updates) {
			expect(containsText(row.data, SECRET)).toBe(false);
			expect(row.keyId).toBe(testKeyring.currentKeyId);
			expect(() => testKeyring.open(row, 'group:aaaaaaaaaaaaaaaaaaaaaaaa', 'update')).toThrow();
			expect(() => new DataKeyring(new Uint8Array(32).fill(7)).open(row, document, 'update')).toThrow();
		}
		expect(
			getPost(await loadStoredDocument(document), [...(await loadStoredDocument(document)).getMap('posts').keys()][0])
		).toMatchObject({ body: SECRET });
	});
});

describe('an idle document', () => {
	it('unloads (compacting what it wrote) and reloads from storage with everything in it', async () => {
		await waitFor(() => server.realtime.loadedDocumentCount === 0, 5000);
		const { updates, snapshots } = await storedRows();
		expect(updates).toHaveLength(0);
		expect(snapshots).toHaveLength(1);
		expect(containsText(snapshots[0].data, SECRET)).toBe(false);

		const client = new TestClient(server, document, { person: robin });
		try {
			await client.waitForSync();
			expect([...client.doc.getMap('posts').values()].map((post) => (post as Y.Map<unknown>).get('body'))).toEqual([
				SECRET
			]);
		} finally {
			client.destroy();
		}
	});
});

describe('compaction', () => {
	it('leaves nothing of a removed post in storage', async () => {
		const client = new TestClient(server, document, { person: ada });
		let postId: string;
		try {
			await client.waitForSync();
			postId = createPost(client.doc, { authorId: ada.userId, body: 'Something I regret sharing.' });
			await client.waitForSaved();
			removePost(client.doc, postId, { userId: ada.userId, removal: 'author' });
			await waitFor(() => client.settled);
			await server.realtime.compact(document);
		} finally {
			client.destroy();
		}
		const { updates, snapshots } = await storedRows();
		expect(updates).toHaveLength(0);
		const state = testKeyring.open(snapshots[0], document, 'snapshot');
		expect(containsText(state, 'Something I regret sharing.')).toBe(false);
		expect(getPost(await loadStoredDocument(document), postId)).toBeNull();
	});

	it('keeps rows appended while it runs (it deletes exactly what it folded)', async () => {
		const storage = new DocumentStorage(connection.db, testKeyring, 'test');
		const name = groupDocumentName('bbbbbbbbbbbbbbbbbbbbbbbb');
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (update: Uint8Array) => updates.push(update));
		for (let i = 0; i < 20; i++) doc.getMap('posts').set(`k${i}`, i);
		await Promise.all([
			...updates.slice(0, 10).map((update) => storage.append(name, update)),
			storage.compact(name),
			...updates.slice(10).map((update) => storage.append(name, update)),
			storage.compact(name)
		]);
		const reloaded = new Y.Doc();
		for (const update of (await storage.load(name)).updates) Y.applyUpdate(reloaded, update);
		expect(reloaded.getMap('posts').toJSON()).toEqual(doc.getMap('posts').toJSON());
	});

	it('commits appends from many documents together, each with its own row, and a refused row fails alone', async () => {
		const storage = new DocumentStorage(connection.db, testKeyring, 'test');
		const names = ['dddddddddddddddddddddddd', 'eeeeeeeeeeeeeeeeeeeeeeee', 'ffffffffffffffffffffffff'].map(
			groupDocumentName
		);
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (update: Uint8Array) => updates.push(update));
		for (let i = 0; i < 5; i++) doc.getMap('posts').set(`k${i}`, i);
		// PostgreSQL refuses a NUL character in text: that row's statement fails, the others must not.
		const refused = storage.append('group:\0', updates[0]).then(
			() => 'stored',
			() => 'refused'
		);
		const appended = (
			await Promise.all(names.flatMap((name) => updates.map((update) => storage.append(name, update))))
		).map((result) => (result.stored ? result.id : NaN));
		expect(await refused).toBe('refused');
		expect(new Set(appended).size).toBe(appended.length);
		for (const [index, name] of names.entries()) {
			const ids = appended.slice(index * updates.length, (index + 1) * updates.length);
			expect(ids).toEqual([...ids].sort((a, b) => a - b));
			const reloaded = new Y.Doc();
			for (const update of (await storage.load(name)).updates) Y.applyUpdate(reloaded, update);
			expect(reloaded.getMap('posts').toJSON()).toEqual(doc.getMap('posts').toJSON());
		}
	});
});

describe('documents loaded together', () => {
	it('each open on their own: one sealed with a key the server lacks fails alone', async () => {
		const storage = new DocumentStorage(connection.db, testKeyring, 'test');
		const [readable, foreign] = [groupDocumentName(generateId()), groupDocumentName(generateId())];
		const doc = new Y.Doc();
		doc.getMap('posts').set('note', 'kept');
		await storage.append(readable, Y.encodeStateAsUpdate(doc));
		await new DocumentStorage(connection.db, new DataKeyring(randomBytes(32)), 'foreign').append(
			foreign,
			Y.encodeStateAsUpdate(doc)
		);
		// Asked for in the same turn, so read in one batch.
		const [ok, failed] = await Promise.allSettled([storage.load(readable), storage.load(foreign)]);
		expect(ok.status === 'fulfilled' && ok.value.updates).toHaveLength(1);
		expect(failed.status === 'rejected' && failed.reason).toBeInstanceOf(UnreadableDataError);
	});
});

describe('client ids claimed with the update', () => {
	it('two processes racing one id: the table decides, exactly one update is stored and the other refused', async () => {
		const here = new DocumentStorage(connection.db, testKeyring, 'process-a');
		const there = new DocumentStorage(server.database.db, testKeyring, 'process-b');
		const name = groupDocumentName('cccccccccccccccccccccccc');
		for (let clientId = 1; clientId <= 5; clientId++) {
			const outcomes = await Promise.all([
				here.append(name, new Uint8Array([0, 0]), { claim: { userId: ada.userId, clientIds: [clientId] } }),
				there.append(name, new Uint8Array([0, 0]), { claim: { userId: robin.userId, clientIds: [clientId] } })
			]);
			expect(outcomes.filter((outcome) => outcome.stored)).toHaveLength(1);
			expect(outcomes.filter((outcome) => !outcome.stored)).toEqual([{ stored: false, reason: 'client-id' }]);
			const winner = outcomes[0].stored ? ada.userId : robin.userId;
			const owners = await connection.db.select().from(realtimeClient).where(eq(realtimeClient.clientId, clientId));
			expect(owners.filter((row) => row.document === name).map((row) => row.userId)).toEqual([winner]);
		}
		const rows = await connection.db.select().from(realtimeUpdate).where(eq(realtimeUpdate.document, name));
		expect(rows).toHaveLength(5);
	});

	it('an update refused for its client id stores none of the later ones of its sequence', async () => {
		const storage = new DocumentStorage(connection.db, testKeyring, 'test');
		const name = groupDocumentName('gggggggggggggggggggggggg');
		expect(
			await storage.append(name, new Uint8Array([0, 0]), { claim: { userId: robin.userId, clientIds: [77] } })
		).toMatchObject({
			stored: true
		});
		const sequence = new AppendSequence();
		const outcomes = await Promise.allSettled([
			storage.append(name, new Uint8Array([0, 0]), { sequence }),
			storage.append(name, new Uint8Array([0, 0]), { sequence, claim: { userId: ada.userId, clientIds: [78, 77] } }),
			storage.append(name, new Uint8Array([0, 0]), { sequence }),
			storage.append(name, new Uint8Array([0, 0]), { sequence })
		]);
		expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { stored: true } });
		expect(outcomes[1]).toEqual({ status: 'fulfilled', value: { stored: false, reason: 'client-id' } });
		for (const later of outcomes.slice(2)) {
			expect(later.status === 'rejected' && later.reason instanceof SequenceBrokenError).toBe(true);
		}
		await expect(storage.append(name, new Uint8Array([0, 0]), { sequence })).rejects.toBeInstanceOf(
			SequenceBrokenError
		);
		const rows = await connection.db.select().from(realtimeUpdate).where(eq(realtimeUpdate.document, name));
		expect(rows).toHaveLength(2);
	});
});
