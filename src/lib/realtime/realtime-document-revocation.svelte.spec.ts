// A revoked tab forgets: when the server ends someone's access, the browser's document drops what it held
// at once, says why, and nothing written afterwards is sent. Against the real realtime server.
import { describe, expect, it } from 'vitest';
import { createPost, listPosts } from '$lib/board/posts';
import { invalidateSession } from '$lib/server/auth/sessions';
import { DocumentView } from './document-view.svelte';
import {
	TestClient,
	createPerson,
	loadStoredDocument,
	openInBrowser,
	startRealtimeCircle,
	waitFor
} from '$test/realtime';

const { server, groups, facilitator: robin, groupId, document: boardName } = await startRealtimeCircle();

async function memberWithBoardOpen(name: string) {
	const person = await createPerson(name);
	await groups.add(groupId, person, robin);
	const facilitator = new TestClient(server, boardName, { person: robin });
	await facilitator.waitForSync();
	createPost(facilitator.doc, { authorId: robin.userId, body: `Welcome, ${name}. What is shared here stays here.` });
	await facilitator.waitForSaved();
	const { board: document, revoked } = openInBrowser(server, person, boardName);
	const posts = new DocumentView(document, (doc) => listPosts(doc));
	document.start();
	await waitFor(() => document.connection === 'live' && posts.current.length > 0, 10_000, 'the board');
	return { person, facilitator, document, posts, revoked };
}

describe('when access ends, the open document', () => {
	it('forgets every post on removal, says so, and sends nothing written afterwards', async () => {
		const { person, facilitator, document, posts, revoked } = await memberWithBoardOpen('Ada');
		try {
			await groups.remove(groupId, person, robin);
			await waitFor(() => revoked.length > 0, 5_000, 'revocation');

			expect(revoked).toEqual(['no-access']);
			expect(document.closed).toBe('no-access');
			expect(document.connection).toBe('closed');
			expect(document.canWrite).toBe(false);
			expect(posts.current).toEqual([]);
			// Not hidden: gone. The document in memory holds no content at all.
			expect(document.doc.store.clients.size).toBe(0);

			// Words typed into the tab afterwards reach nobody.
			const lost = createPost(document.doc, { authorId: person.userId, body: 'Is anyone still there?' });
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(listPosts(facilitator.doc).some((post) => post.id === lost)).toBe(false);
			expect(listPosts(await loadStoredDocument(boardName)).some((post) => post.id === lost)).toBe(false);
		} finally {
			document.stop();
			facilitator.destroy();
		}
	});

	it('forgets on sign-out and asks the person to sign in again', async () => {
		const { person, facilitator, document, posts, revoked } = await memberWithBoardOpen('Bea');
		try {
			await invalidateSession(person.sessionId, person.userId);
			await waitFor(() => revoked.length > 0, 5_000, 'revocation');
			expect(revoked).toEqual(['signed-out']);
			expect(posts.current).toEqual([]);
		} finally {
			document.stop();
			facilitator.destroy();
		}
	});

	it('forgets when a new agreement waits for the member’s signature', async () => {
		const { facilitator, document, posts, revoked } = await memberWithBoardOpen('Cy');
		try {
			await groups.publishNewAgreement(groupId, robin);
			await waitFor(() => revoked.length > 0, 5_000, 'revocation');
			expect(revoked).toEqual(['unsigned']);
			expect(posts.current).toEqual([]);
		} finally {
			document.stop();
			facilitator.destroy();
		}
	});
});
