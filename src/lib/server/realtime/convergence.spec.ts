// Six people editing at once, dropping off and coming back with changes made offline, end with the
// same board on every device, in storage, and after the server restarts.
import { expect, it } from 'vitest';
import { createPost, editPost, listPosts, removePost, toggleReaction } from '$lib/board/posts';
import {
	TestClient,
	canonicalPosts,
	loadStoredDocument,
	startRealtimeCircle,
	startTestServer,
	waitFor
} from '$test/realtime';

const { server, groups, facilitator, members, document } = await startRealtimeCircle({
	members: ['Ada', 'Bea', 'Cy', 'Dee', 'Eli']
});
const people = [facilitator, ...members];

/** A small deterministic generator, so a failure can be replayed with the seed it prints. */
function createRandom(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

it(
	'converges on every client and on reload after randomised concurrent edits with disconnects',
	{ timeout: 60_000 },
	async () => {
		const seed = Number(process.env.HEARTH_CONVERGENCE_SEED ?? Date.now() % 1_000_000);
		const random = createRandom(seed);
		const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
		const clients = people.map((person) => new TestClient(server, document, { person }));
		try {
			await Promise.all(clients.map((client) => client.waitForSync()));
			for (let step = 0; step < 240; step++) {
				const index = Math.floor(random() * clients.length);
				const client = clients[index];
				const person = people[index];
				const roll = random();
				if (roll < 0.06) {
					if (client.provider.shouldConnect) client.provider.disconnect();
					else client.provider.connect();
					continue;
				}
				const mine = listPosts(client.doc).filter((post) => post.state === 'live' && post.authorId === person.userId);
				const live = listPosts(client.doc).filter((post) => post.state === 'live');
				if (roll < 0.45 || live.length === 0) {
					createPost(client.doc, { authorId: person.userId, body: `step ${step} from ${person.name}` });
				} else if (roll < 0.65 && mine.length > 0) {
					editPost(client.doc, pick(mine).id, `edited at step ${step}`);
				} else if (roll < 0.9) {
					toggleReaction(client.doc, pick(live).id, random() < 0.5 ? 'metoo' : 'holding', person.userId);
				} else if (mine.length > 0) {
					removePost(client.doc, pick(mine).id, { userId: person.userId, removal: 'author' });
				}
				if (step % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
			}
			for (const client of clients) client.provider.connect();
			await waitFor(() => clients.every((client) => client.settled), 20_000, `all saved (seed ${seed})`);
			const expected = canonicalPosts(clients[0].doc);
			await waitFor(
				() => clients.every((client) => canonicalPosts(client.doc) === expected),
				20_000,
				`convergence (seed ${seed})`
			);
			expect(clients.flatMap((client) => client.refusals)).toEqual([]);
			expect(listPosts(clients[0].doc).length).toBeGreaterThan(10);

			const stored = await loadStoredDocument(document);
			expect(canonicalPosts(stored)).toBe(expected);

			// Reload: a new server process-equivalent loads the document from PostgreSQL alone.
			for (const client of clients) client.destroy();
			clients.length = 0;
			await server.close();
			const restarted = await startTestServer({ groups });
			const reloaded = new TestClient(restarted, document, { person: people[1] });
			clients.push(reloaded);
			try {
				await reloaded.waitForSync();
				expect(canonicalPosts(reloaded.doc)).toBe(expected);
			} finally {
				reloaded.destroy();
				await restarted.close();
			}
		} finally {
			for (const client of clients) client.destroy();
		}
	}
);
