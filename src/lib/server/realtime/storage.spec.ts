// What PostgreSQL holds: ciphertext only, bound to its document; compaction folds updates into one
// snapshot and leaves nothing of deleted content behind; idle documents unload and come back intact.
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupDocumentName } from '$lib/board/document-names';
import { createPost, getPost, removePost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { realtimeSnapshot, realtimeUpdate } from '$lib/server/db/schema';
import { DataKeyring } from './encryption';
import { DocumentStorage } from './storage';
import {
	TestClient,
	TestGroups,
	createPerson,
	loadStoredDocument,
	startTestServer,
	testKeyring,
	waitFor,
	type Person,
	type TestServer
} from '../../../../tests/realtime/harness';

let server: TestServer;
const groups = new TestGroups();
let ada: Person;
let robin: Person;
let document: string;

beforeAll(async () => {
	server = await startTestServer({ groups, limits: { idleUnloadMs: 100 } });
	[ada, robin] = await Promise.all([createPerson('Ada'), createPerson('Robin', 'staff')]);
	const groupId = await groups.createGroup(robin);
	await groups.add(groupId, ada, robin);
	document = groupDocumentName(groupId);
});

afterAll(async () => {
	await server.close();
	await connection.close();
});

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
		expect(getPost(await loadStoredDocument(document), [...(await loadStoredDocument(document)).getMap('posts').keys()][0])).toMatchObject({ body: SECRET });
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
			expect([...client.doc.getMap('posts').values()].map((post) => (post as Y.Map<unknown>).get('body'))).toEqual([SECRET]);
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
			await server.realtime.compactDocument(document);
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
		const names = ['dddddddddddddddddddddddd', 'eeeeeeeeeeeeeeeeeeeeeeee', 'ffffffffffffffffffffffff'].map(groupDocumentName);
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (update: Uint8Array) => updates.push(update));
		for (let i = 0; i < 5; i++) doc.getMap('posts').set(`k${i}`, i);
		// PostgreSQL refuses a NUL character in text: that row's statement fails, the others must not.
		const refused = storage.append('group:\0', updates[0]).then(
			() => 'stored',
			() => 'refused'
		);
		const appended = await Promise.all(names.flatMap((name) => updates.map((update) => storage.append(name, update))));
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
