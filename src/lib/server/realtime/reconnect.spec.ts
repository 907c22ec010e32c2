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

describe('a client reconnecting with offline changes', () => {
	it('writes as the socket opens, before its sync step 2: both saved, in order, stored once', async () => {
		// Offline: two posts, the second written after the first (it depends on it).
		const offline = new Y.Doc();
		createPost(offline, { authorId: ada.userId, body: 'Written on the train, offline.' });
		const before = Y.encodeStateVector(offline);
		createPost(offline, { authorId: ada.userId, body: 'And one more, just as the signal came back.' });
		const latest = Y.encodeStateAsUpdate(offline, before);

		const socket = RawSocket.forDocument(server, document, ada);
		await socket.opened;
		socket.send(encodeSyncUpdate(latest));
		socket.send(encodeSyncStep2(Y.encodeStateAsUpdate(offline)));
		await waitFor(() => answers(socket).length === 2, 10_000, 'both answers');

		expect(answers(socket)).toEqual([
			[messageSaved, 1],
			[messageSaved, 2]
		]);
		const stored = listPosts(await loadStoredDocument(document)).map((post) => post.state === 'live' && post.body);
		expect(stored).toEqual(['Written on the train, offline.', 'And one more, just as the signal came back.']);
		socket.close();
	});

	it('still refuses an update nothing it sent can complete, once its sync step 2 is in', async () => {
		const elsewhere = new Y.Doc();
		createPost(elsewhere, { authorId: ada.userId, body: 'Never sent.' });
		const before = Y.encodeStateVector(elsewhere);
		createPost(elsewhere, { authorId: ada.userId, body: 'Depends on what was never sent.' });
		const orphan = Y.encodeStateAsUpdate(elsewhere, before);

		const socket = RawSocket.forDocument(server, document, ada);
		await socket.opened;
		socket.send(encodeSyncUpdate(orphan));
		socket.send(encodeSyncStep2(new Uint8Array([0, 0])));
		await waitFor(() => answers(socket).length === 2, 10_000, 'both answers');
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
