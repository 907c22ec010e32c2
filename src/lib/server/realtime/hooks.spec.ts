// The app hears about stored changes through one hook, after the writer was told "saved": which document,
// who wrote, and whether a whole entry went (server-writes.spec.ts shows its words then leave storage).
import { expect, it } from 'vitest';
import { createPost, removePost } from '$lib/board/posts';
import type { StoredUpdate } from './options';
import { TestClient, startRealtimeCircle, waitFor } from '$test/realtime';

const stored: StoredUpdate[] = [];
const circle = await startRealtimeCircle({
	members: ['Ada'],
	hooks: { afterStoreUpdate: (update) => stored.push(update) }
});
const { server, groupId, document } = circle;
const [ada] = circle.members;

it('runs once for each stored update, telling a removal from a post', async () => {
	const client = new TestClient(server, document, { person: ada });
	try {
		await client.waitForSync();
		const postId = createPost(client.doc, { authorId: ada.userId, body: 'A sentence I will take back.' });
		await client.waitForSaved();
		expect(stored).toEqual([
			{ document: { kind: 'group', groupId }, userId: ada.userId, removesEntry: false, facts: [] }
		]);

		removePost(client.doc, postId, { userId: ada.userId, removal: 'author' });
		await client.waitForSaved();
		await waitFor(() => stored.length === 2);
		expect(stored[1]).toEqual({
			document: { kind: 'group', groupId },
			userId: ada.userId,
			removesEntry: true,
			facts: []
		});
	} finally {
		client.destroy();
	}
});
