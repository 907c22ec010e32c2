// Reconnecting never refuses honest work: a client with offline changes that writes as the socket opens,
// before its sync step 2 has gone out, gets every message saved once, and nothing twice.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createPost, listPosts } from '$lib/board/posts';
import { encodeSyncStep2, encodeSyncUpdate, messageRefused, messageSaved } from './protocol';
import { RawSocket, loadStoredDocument, startRealtimeCircle, waitFor } from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada'] });
const { server, document } = circle;
const [ada] = circle.members;

/** The acknowledgements a raw socket has received, as [type, seq]. */
function answers(socket: RawSocket): [number, number][] {
	return socket.messages.filter((m) => m[0] === messageSaved || m[0] === messageRefused).map((m) => [m[0], m[1]]);
}

/** Ada's copy with two posts, the second written after the first (it depends on it), and the second's update. */
function writeTwoPosts(first: string, second: string) {
	const doc = new Y.Doc();
	createPost(doc, { authorId: ada.userId, body: first });
	const before = Y.encodeStateVector(doc);
	createPost(doc, { authorId: ada.userId, body: second });
	return { doc, second: Y.encodeStateAsUpdate(doc, before) };
}

/** Opens Ada's socket and sends `update` before `syncStep2`, as the socket opens; waits for both answers. */
async function sendBeforeSyncStep2(update: Uint8Array, syncStep2: Uint8Array): Promise<RawSocket> {
	const socket = RawSocket.forDocument(server, document, ada);
	await socket.opened;
	socket.send(encodeSyncUpdate(update));
	socket.send(encodeSyncStep2(syncStep2));
	await waitFor(() => answers(socket).length === 2, 10_000, 'both answers');
	return socket;
}

describe('a client reconnecting with offline changes', () => {
	it('writes as the socket opens, before its sync step 2: both saved, in order, stored once', async () => {
		const offline = writeTwoPosts('Written on the train, offline.', 'And one more, just as the signal came back.');
		const socket = await sendBeforeSyncStep2(offline.second, Y.encodeStateAsUpdate(offline.doc));
		expect(answers(socket)).toEqual([
			[messageSaved, 1],
			[messageSaved, 2]
		]);
		const stored = listPosts(await loadStoredDocument(document)).map((post) => post.state === 'live' && post.body);
		expect(stored).toEqual(['Written on the train, offline.', 'And one more, just as the signal came back.']);
		socket.close();
	});

	it('still refuses an update nothing it sent can complete, once its sync step 2 is in', async () => {
		const elsewhere = writeTwoPosts('Never sent.', 'Depends on what was never sent.');
		const socket = await sendBeforeSyncStep2(elsewhere.second, new Uint8Array([0, 0]));
		expect(answers(socket)).toEqual([
			[messageRefused, 1],
			[messageRefused, 2]
		]);
		expect(socket.refusals).toEqual(['incomplete', 'incomplete']);
		expect(
			listPosts(await loadStoredDocument(document)).some(
				(post) => post.state === 'live' && post.body.startsWith('Depends')
			)
		).toBe(false);
		socket.close();
	});
});
