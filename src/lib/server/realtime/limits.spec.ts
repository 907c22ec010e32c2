// One member cannot stall everyone: sync requests per connection are bounded, documents have a size cap
// with a clear refusal, and a burst of upgrades respects the per-person connection limit.
import { describe, expect, it } from 'vitest';
import { groupDocumentName, journalDocumentName } from '$lib/board/document-names';
import { createPost } from '$lib/board/posts';
import { eq } from 'drizzle-orm';
import { connection } from '$lib/server/db';
import { realtimeConnection } from '$lib/server/db/schema';
import { CloseCode, encodeSyncStep1, messageAccess, messageSync } from './protocol';
import { changeDocument } from './server-writes';
import { ConnectionSlots } from './connection-slots';
import { RawSocket, TestClient, createPerson, startRealtimeCircle, startTestServer, waitFor } from '$test/realtime';

const JOURNAL_CAP = 1_500_000;
const circle = await startRealtimeCircle({
	members: ['Ada', 'Bea'],
	limits: {
		maxDocumentBytes: {
			group: 64 * 1024 * 1024,
			archive: 64 * 1024 * 1024,
			staff: 1_000_000,
			care: 1_000_000,
			journal: JOURNAL_CAP
		}
	}
});
const { server, groups, groupId } = circle;
const [ada, bea] = circle.members;
// Bea's journal, grown to about a megabyte: what she could make the server send again and again.
await changeDocument(journalDocumentName(bea.userId), (doc) => {
	for (let i = 0; i < 250; i++)
		createPost(doc, { authorId: bea.userId, body: `${i} `.padEnd(4000, 'words ') }, { now: Date.now() });
});

const EMPTY_STATE_VECTOR = new Uint8Array([0]);

/** Waits until the server has let each socket in (its access message) or refused it (closed it). */
async function waitForAdmission(sockets: RawSocket[], what: string) {
	await waitFor(
		() => sockets.every((s) => s.closeCode !== null || s.messages.some((m) => m[0] === messageAccess)),
		20_000,
		what
	);
}

describe('a sync flood', () => {
	it('is cut off after a few requests, and another member’s post is saved meanwhile within three seconds', async () => {
		const flood = RawSocket.forDocument(server, journalDocumentName(bea.userId), bea);
		await flood.opened;
		const adaClient = new TestClient(server, groupDocumentName(groupId), { person: ada });
		try {
			await adaClient.waitForSync();
			for (let i = 0; i < 200; i++) flood.send(encodeSyncStep1(EMPTY_STATE_VECTOR));
			const started = Date.now();
			createPost(adaClient.doc, { authorId: ada.userId, body: 'Checking in while someone floods.' });
			await adaClient.waitForSaved();
			expect(Date.now() - started).toBeLessThan(3000);

			expect(await flood.waitForClose()).toBe(CloseCode.tooMany);
			// At most the allowed answers (each the whole journal) went out, not two hundred.
			const fullAnswers = flood.messages.filter((m) => m[0] === messageSync && m[1] === 1 && m.byteLength > 500_000);
			expect(fullAnswers.length).toBeLessThanOrEqual(server.realtime.limits.maxSyncRequestsPerMinute + 1);
		} finally {
			flood.close();
			adaClient.destroy();
		}
	});
});

describe('a document at its size limit', () => {
	it('refuses more with a clear reason, and is not a violation that closes the socket', async () => {
		const client = new TestClient(server, journalDocumentName(bea.userId), { person: bea });
		try {
			await client.waitForSync();
			for (let i = 0; i < 150 && client.refusals.length === 0; i++) {
				createPost(client.doc, { authorId: bea.userId, body: 'A'.repeat(4000) });
				await waitFor(() => client.settled, 10_000, 'an answer');
			}
			expect(client.refusals.map((r) => r.reason)).toEqual(['full']);
			expect(client.closeCodes).toEqual([]);
		} finally {
			client.destroy();
		}
	});
});

describe('a burst of upgrades by one person', () => {
	it('opens at most the per-person limit, counted from admission, not from when the document loaded', async () => {
		const cal = await createPerson('Cal');
		const sockets = Array.from({ length: 60 }, () =>
			RawSocket.forDocument(server, journalDocumentName(cal.userId), cal)
		);
		try {
			await waitForAdmission(sockets, 'every socket to be let in or refused');
			const open = sockets.filter((s) => s.closeCode === null);
			expect(open.length).toBe(server.realtime.limits.maxConnectionsPerUser);
			expect(new Set(sockets.filter((s) => s.closeCode !== null).map((s) => s.closeCode))).toEqual(
				new Set([CloseCode.tooMany])
			);
		} finally {
			for (const socket of sockets) socket.close();
		}
	});
});

describe('the per-person connection limit across processes', () => {
	it('holds for a burst spread over two servers on one database, and frees slots when sockets close', async () => {
		const other = await startTestServer({ groups });
		const dee = await createPerson('Dee');
		const document = journalDocumentName(dee.userId);
		const sockets = Array.from({ length: 40 }, (_, i) => RawSocket.forDocument(i % 2 ? other : server, document, dee));
		try {
			await waitForAdmission(sockets, 'every socket to be let in or refused');
			const open = sockets.filter((s) => s.closeCode === null);
			expect(open.length).toBe(server.realtime.limits.maxConnectionsPerUser);
			// Closing some gives their slots back, on either server.
			for (const socket of open.slice(0, 3)) socket.close();
			const held = async () =>
				(await connection.db.select().from(realtimeConnection).where(eq(realtimeConnection.userId, dee.userId))).length;
			for (let tries = 0; (await held()) > open.length - 3 && tries < 200; tries++)
				await new Promise((r) => setTimeout(r, 50));
			expect(await held()).toBe(open.length - 3);
			const late = RawSocket.forDocument(other, document, dee);
			sockets.push(late);
			await waitForAdmission([late], 'the late socket');
			expect(late.closeCode).toBeNull();
		} finally {
			for (const socket of sockets) socket.close();
			await other.close();
		}
	});
});

describe('connection slots taken in one batch', () => {
	it('are counted one by one, in one process and across two taking slots for the same people at once', async () => {
		const [fay, gus] = await Promise.all([createPerson('Fay'), createPerson('Gus')]);
		const here = new ConnectionSlots(connection.db, 'process-here');
		const there = new ConnectionSlots(connection.db, 'process-there');
		// Asked for in one turn: each process sends its requests as one statement, in opposite orders.
		const requests = Array.from({ length: 12 }, (_, i) => [
			here.take(i % 2 ? fay.userId : gus.userId, 5),
			there.take(i % 2 ? gus.userId : fay.userId, 5)
		]).flat();
		const slots = await Promise.all(requests);
		const heldBy = async (userId: string) =>
			(await connection.db.select().from(realtimeConnection).where(eq(realtimeConnection.userId, userId))).length;
		expect(slots.filter((slot) => slot !== null)).toHaveLength(10);
		expect([await heldBy(fay.userId), await heldBy(gus.userId)]).toEqual([5, 5]);
		await Promise.all(slots.filter((slot) => slot !== null).map((slot) => here.release(slot)));
		expect([await heldBy(fay.userId), await heldBy(gus.userId)]).toEqual([0, 0]);
	});
});

describe('connection slots of a process that died', () => {
	it('lapse, and a living process renews its own', async () => {
		const eve = await createPerson('Eve');
		const dead = new ConnectionSlots(connection.db, 'dead-process', 1);
		const alive = new ConnectionSlots(connection.db, 'living-process');
		expect(await dead.take(eve.userId, 1)).not.toBeNull();
		await new Promise((resolve) => setTimeout(resolve, 20));
		const slot = await alive.take(eve.userId, 1);
		expect(slot).not.toBeNull();
		await alive.renew();
		const rows = await connection.db.select().from(realtimeConnection).where(eq(realtimeConnection.userId, eve.userId));
		expect(rows.map((row) => row.instanceId)).toEqual(['living-process']);
		expect(await alive.take(eve.userId, 1)).toBeNull();
		await alive.release(slot!);
		expect(await alive.take(eve.userId, 1)).not.toBeNull();
		await alive.releaseAll();
	});
});
