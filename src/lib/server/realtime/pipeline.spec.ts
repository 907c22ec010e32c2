// The per-room pipeline over real sockets and PostgreSQL: first writes bind their Yjs client ids in the
// same commit as the update, so a whole circle arriving and writing at once is stored, acknowledged and
// converged, and two people racing with one client id end with exactly one owner.
import * as Y from 'yjs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { groupDocumentName } from '$lib/board/document-names';
import { createPost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { realtimeClient } from '$lib/server/db/schema';
import { TestClient, canonicalPosts, loadStoredDocument, startRealtimeCircle, waitFor } from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea', 'Cy', 'Dee', 'Eli'] });
const { server, groups, facilitator: robin, members, document } = circle;
const documents = [document];
for (let more = 1; more < 3; more++) {
	const groupId = await groups.createGroup(robin);
	for (const person of members) await groups.add(groupId, person, robin);
	documents.push(groupDocumentName(groupId));
}

describe('a mass arrival', () => {
	it(
		'every client of several circles writes its first post at once: all saved, all converged, all stored',
		{ timeout: 60_000 },
		async () => {
			const people = [robin, ...members];
			const clients = documents.flatMap((document) =>
				people.map((person) => ({ person, document, client: new TestClient(server, document, { person }) }))
			);
			try {
				await Promise.all(clients.map(({ client }) => client.waitForSync(20_000)));
				for (const { person, client } of clients)
					createPost(client.doc, { authorId: person.userId, body: `Arrived: ${person.name}.` });
				await Promise.all(clients.map(({ client }) => client.waitForSaved(20_000)));
				for (const { client } of clients) expect(client.refusals).toEqual([]);
				for (const document of documents) {
					const inRoom = clients.filter((entry) => entry.document === document);
					await waitFor(
						() => inRoom.every(({ client }) => client.doc.getMap('posts').size === people.length),
						20_000,
						'convergence'
					);
					const stored = canonicalPosts(await loadStoredDocument(document));
					for (const { client } of inRoom) expect(canonicalPosts(client.doc)).toBe(stored);
				}
				expect(server.errors).toEqual([]);
			} finally {
				for (const { client } of clients) client.destroy();
			}
		}
	);
});

describe('two people racing a first write with one Yjs client id', () => {
	it('ends with exactly one owner, and nothing the other wrote under it is stored', async () => {
		const [ada, bea] = members;
		const document = documents[0];
		const adaDoc = new Y.Doc();
		const beaDoc = new Y.Doc();
		beaDoc.clientID = adaDoc.clientID;
		const adaClient = new TestClient(server, document, { person: ada, doc: adaDoc });
		const beaClient = new TestClient(server, document, { person: bea, doc: beaDoc });
		try {
			await Promise.all([adaClient.waitForSync(), beaClient.waitForSync()]);
			createPost(adaDoc, { authorId: ada.userId, body: 'Ada.' });
			// Bea writes two posts in one change, so that her update reaches beyond Ada's clocks.
			beaDoc.transact(() => {
				createPost(beaDoc, { authorId: bea.userId, body: 'Bea, first.' });
				createPost(beaDoc, { authorId: bea.userId, body: 'Bea, second.' });
			});
			await waitFor(() => adaClient.settled && beaClient.settled, 10_000, 'answers');
			const rows = await connection.db
				.select()
				.from(realtimeClient)
				.where(eq(realtimeClient.clientId, adaDoc.clientID));
			const owners = rows.filter((row) => row.document === document).map((row) => row.userId);
			expect(owners).toHaveLength(1);
			const stored = JSON.stringify((await loadStoredDocument(document)).getMap('posts').toJSON());
			if (owners[0] === ada.userId) {
				expect(beaClient.refusals.map((refusal) => refusal.reason)).toEqual(['client-id']);
				expect(stored).toContain('Ada.');
				expect(stored).not.toContain('Bea, second.');
			} else {
				// Bea's commit came first: Ada's change lies within clocks Bea already wrote, so the server
				// drops it as known (as Yjs would); either way nothing of Ada's is stored under Bea's id.
				expect(owners).toEqual([bea.userId]);
				expect(stored).not.toContain('Ada.');
			}
		} finally {
			adaClient.destroy();
			beaClient.destroy();
		}
	});
});
