// Server-side writes: durable before anyone sees them, then live on every open connection; they skip
// the change policy (a member could not have written a flag into the staff space themselves).
import { describe, expect, it } from 'vitest';
import { groupDocumentName, staffDocumentName } from '$lib/board/document-names';
import { createPost, getPost, listPosts, removePost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { realtimeUpdate } from '$lib/server/db/schema';
import { eq } from 'drizzle-orm';
import { changeDocument } from './server-writes';
import { DocumentStorage } from './storage';
import { TestClient, loadStoredDocument, startRealtimeCircle, testKeyring, waitFor } from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada'] });
const { server, groups, facilitator: robin, groupId } = circle;
const [ada] = circle.members;

describe('changeDocument', () => {
	it('stores the change before returning and shows it live to connected clients', async () => {
		const name = groupDocumentName(groupId);
		const client = new TestClient(server, name, { person: ada });
		try {
			await client.waitForSync();
			const postId = await changeDocument(name, (doc) =>
				createPost(doc, { authorId: robin.userId, body: 'Welcome, all' })
			);
			// Durable: it is in PostgreSQL as soon as the call returns.
			const stored = await loadStoredDocument(name);
			expect(getPost(stored, postId)?.state).toBe('live');
			stored.destroy();
			// Live: the open connection gets it without reconnecting.
			await waitFor(() => getPost(client.doc, postId) !== null, 5_000, 'the server write to arrive');
			expect(getPost(client.doc, postId)).toMatchObject({ body: 'Welcome, all', authorId: robin.userId });
		} finally {
			client.destroy();
		}
	});

	it('writes where no member could (a flag into the staff space), and a facilitator sees it live', async () => {
		const name = staffDocumentName(groupId);
		const facilitator = new TestClient(server, name, { person: robin });
		try {
			await facilitator.waitForSync();
			await changeDocument(name, (doc) =>
				doc.getMap('flags').set('aaaaaaaaaaaaaaaaaaaaaaaa', {
					id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
					postId: 'bbbbbbbbbbbbbbbbbbbbbbbb',
					document: groupDocumentName(groupId),
					flaggedBy: ada.userId,
					at: Date.now(),
					status: 'open'
				})
			);
			await waitFor(() => facilitator.doc.getMap('flags').size === 1, 5_000, 'the flag');
			expect(facilitator.doc.getMap('flags').get('aaaaaaaaaaaaaaaaaaaaaaaa')).toMatchObject({ flaggedBy: ada.userId });
		} finally {
			facilitator.destroy();
		}
	});

	it('writes a document nobody has open, and the next visitor loads it', async () => {
		const other = await groups.createGroup(robin);
		const name = groupDocumentName(other);
		const postId = await changeDocument(name, (doc) => createPost(doc, { authorId: robin.userId, body: 'First' }));
		const client = new TestClient(server, name, { person: robin });
		try {
			await client.waitForSync();
			expect(getPost(client.doc, postId)?.state).toBe('live');
		} finally {
			client.destroy();
		}
	});

	it('stores nothing when the change changes nothing', async () => {
		const name = groupDocumentName(groupId);
		const before = await connection.db.select().from(realtimeUpdate).where(eq(realtimeUpdate.document, name));
		const result = await changeDocument(name, (doc) => doc.getMap('posts').size);
		const after = await connection.db.select().from(realtimeUpdate).where(eq(realtimeUpdate.document, name));
		expect(typeof result).toBe('number');
		expect(after.length).toBe(before.length);
	});
});

describe('a member deleting their own post', () => {
	it('purges it from storage, not only from the board', async () => {
		const name = groupDocumentName(groupId);
		const client = new TestClient(server, name, { person: ada });
		try {
			await client.waitForSync();
			const words = 'a sentence I regret sharing 7f3a';
			const postId = createPost(client.doc, { authorId: ada.userId, body: words });
			await client.waitForSaved();
			removePost(client.doc, postId, { userId: ada.userId, removal: 'author' });
			await client.waitForSaved();
			expect(listPosts(client.doc).some((post) => post.id === postId)).toBe(false);
			// The room schedules a compaction right after the removal: the words leave every stored byte.
			const deadline = Date.now() + 5_000;
			let found = true;
			while (found && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 100));
				found = await storedBytesContain(name, words);
			}
			expect(found).toBe(false);
		} finally {
			client.destroy();
		}
	});
});

/** Whether any stored update or snapshot of the document, decrypted, still holds `text`. */
async function storedBytesContain(name: string, text: string): Promise<boolean> {
	const { updates } = await new DocumentStorage(connection.db, testKeyring, 'test-reader').load(name);
	const needle = Buffer.from(text);
	return updates.some((update) => Buffer.from(update).includes(needle));
}
