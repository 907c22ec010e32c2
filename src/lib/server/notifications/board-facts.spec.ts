// A reply sent over a raw WebSocket, as any client could send it, becomes a notification for the author of
// the post it answers once the server has stored it — for them only, and not for the one who replied.
// In a care space it reaches its member (and never another member).
import * as Y from 'yjs';
import { expect, it } from 'vitest';
import { careDocumentName } from '$lib/board/document-names';
import { createPost } from '$lib/board/posts';
import { messageSaved } from '$lib/realtime/protocol';
import { encodeSyncUpdate } from '../realtime/protocol';
import { RawSocket, loadStoredDocument, startRealtimeCircle, waitFor, type Person } from '$test/realtime';
import { settleBoardFacts } from './board-facts';
import { listNotifications } from './notifications';

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { server, facilitator: robin, groupId, document } = circle;
const [ada, bea] = circle.members;

/** Writes `change` on top of what the server has stored, over a raw socket, and waits for "saved". */
async function sendRaw(person: Person, name: string, change: (doc: Y.Doc) => string): Promise<string> {
	const doc = await loadStoredDocument(name);
	const before = Y.encodeStateVector(doc);
	doc.clientID = Math.floor(Math.random() * 2 ** 30) + 1;
	const id = change(doc);
	const raw = RawSocket.forDocument(server, name, person);
	try {
		await raw.opened;
		raw.send(encodeSyncUpdate(Y.encodeStateAsUpdate(doc, before)));
		await waitFor(() => raw.messages.some((message) => message[0] === messageSaved) || raw.refusals.length > 0);
		expect(raw.refusals).toEqual([]);
		return id;
	} finally {
		raw.close();
	}
}

it('a reply on the board tells the author of the post, once it is stored', async () => {
	const postId = await sendRaw(ada, document, (doc) =>
		createPost(doc, { authorId: ada.userId, body: 'A tide came in.' })
	);
	await sendRaw(bea, document, (doc) =>
		createPost(doc, { authorId: bea.userId, body: 'I felt it as well.', parentId: postId })
	);
	await settleBoardFacts();
	expect(await listNotifications(ada.userId)).toEqual([
		expect.objectContaining({ kind: 'reply', groupId, space: 'group', targetId: postId, readAt: null })
	]);
	expect(await listNotifications(bea.userId)).toEqual([]);
	expect(await listNotifications(robin.userId)).toEqual([]);
});

it('a facilitator’s reply in a member’s care space tells that member only', async () => {
	const care = careDocumentName(groupId, bea.userId);
	const postId = await sendRaw(bea, care, (doc) =>
		createPost(doc, { authorId: bea.userId, body: 'Only for my facilitators.' })
	);
	await sendRaw(robin, care, (doc) =>
		createPost(doc, { authorId: robin.userId, body: 'Thank you for telling us.', parentId: postId })
	);
	await settleBoardFacts();
	expect(await listNotifications(bea.userId)).toEqual([
		expect.objectContaining({ kind: 'reply', space: 'care', careOf: bea.userId, targetId: postId })
	]);
	expect((await listNotifications(ada.userId)).map((item) => item.kind)).toEqual(['reply']);
});
