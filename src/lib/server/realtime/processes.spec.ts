// More than one process: a second Hearth process (tests/support/realtime-child-server.js) shares this file's
// PostgreSQL with the server in this process. Acknowledged means stored: a SIGKILL right after the
// acknowledgement loses nothing; updates, presence and revocations cross between processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPost, getPost } from '$lib/board/posts';
import { CloseCode } from './protocol';
import {
	TestClient,
	createPerson,
	spawnChildServer,
	startRealtimeCircle,
	waitFor,
	type ChildServer
} from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { server, groups, facilitator: robin, groupId, document } = circle;
const [ada, bea] = circle.members;
const children: ChildServer[] = [];

async function startChild(port?: number) {
	const child = await spawnChildServer({ port });
	children.push(child);
	return child;
}

afterAll(async () => {
	await Promise.all(children.map((child) => child.stop()));
});

describe('a server killed with SIGKILL right after acknowledging an update', () => {
	it('has the update after it restarts', { timeout: 120_000 }, async () => {
		const first = await startChild();
		const client = new TestClient(first, document, { person: ada });
		let postId: string;
		try {
			await client.waitForSync();
			postId = createPost(client.doc, { authorId: ada.userId, body: 'Saved, then the power went out.' });
			await client.waitForSaved();
			await first.kill();
		} finally {
			client.destroy();
		}

		const restarted = await startChild(first.port);
		const reader = new TestClient(restarted, document, { person: robin });
		try {
			await reader.waitForSync();
			expect(getPost(reader.doc, postId)).toMatchObject({
				authorId: ada.userId,
				body: 'Saved, then the power went out.'
			});
		} finally {
			reader.destroy();
			await restarted.stop();
		}
	});
});

describe('two processes sharing one PostgreSQL', () => {
	let other: ChildServer;
	beforeAll(async () => {
		other = await startChild();
	}, 60_000);

	it('carry each other’s updates and presence live, and converge', { timeout: 30_000 }, async () => {
		const here = new TestClient(server, document, { person: ada });
		const there = new TestClient(other, document, { person: bea });
		try {
			await Promise.all([here.waitForSync(), there.waitForSync()]);
			const fromHere = createPost(here.doc, { authorId: ada.userId, body: 'Posted in process one.' });
			const fromThere = createPost(there.doc, { authorId: bea.userId, body: 'Posted in process two.' });
			await waitFor(() => getPost(there.doc, fromHere) !== null && getPost(here.doc, fromThere) !== null);
			expect(here.doc.getMap('posts').toJSON()).toEqual(there.doc.getMap('posts').toJSON());

			// Presence crosses too, with the identity the server stamped, whatever the client claimed.
			here.provider.awareness.setLocalState({ typing: true, user: { id: bea.userId, name: 'Not Ada' } });
			await waitFor(() => there.provider.awareness.getStates().get(here.doc.clientID)?.typing === true);
			expect(there.provider.awareness.getStates().get(here.doc.clientID)?.user).toEqual({
				id: ada.userId,
				name: 'Ada',
				role: 'member'
			});
		} finally {
			here.destroy();
			there.destroy();
		}
	});

	it('close a removed member’s socket in the other process within a second', { timeout: 30_000 }, async () => {
		const cy = await createPerson('Cy');
		await groups.add(groupId, cy, robin);
		const there = new TestClient(other, document, { person: cy });
		try {
			await there.waitForSync();
			const started = Date.now();
			await groups.remove(groupId, cy, robin);
			expect(await there.waitForClose(2000)).toBe(CloseCode.forbidden);
			expect(Date.now() - started).toBeLessThan(1000);
		} finally {
			there.destroy();
		}
	});
});
