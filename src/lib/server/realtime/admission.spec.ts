// Who may open a socket: refusals come with their own close code and before any document byte.
import { describe, expect, it } from 'vitest';
import {
	archiveDocumentName,
	careDocumentName,
	groupDocumentName,
	journalDocumentName,
	staffDocumentName
} from '$lib/board/document-names';
import { createPost, listPosts } from '$lib/board/posts';
import { and, eq } from 'drizzle-orm';
import { connection } from '$lib/server/db';
import { auditEvent } from '$lib/server/db/schema';
import { CloseCode, messageAccess, messageSync } from './protocol';
import { RawSocket, TestClient, createPerson, startRealtimeCircle, waitFor, type Person } from '$test/realtime';

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { server, groups, facilitator, groupId } = circle;
const [member, otherMember] = circle.members;
const outsider = await createPerson('Olu');
const otherGroupId = await groups.createGroup(facilitator);
await groups.add(otherGroupId, outsider, facilitator);

/** Opens a raw socket and returns its close code and whether anything at all arrived before it. */
async function refusal(document: string, person?: Person, origin?: string) {
	const socket = RawSocket.forDocument(server, document, person, origin);
	const code = await socket.waitForClose();
	return { code, received: socket.messages.length };
}

describe('refuses before sending any document byte', () => {
	it('a socket without a session cookie (4401)', async () => {
		expect(await refusal(groupDocumentName(groupId))).toEqual({ code: CloseCode.unauthenticated, received: 0 });
	});

	it('a socket whose cookie is not a live session (4401)', async () => {
		const forged = { ...member, token: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' };
		expect(await refusal(groupDocumentName(groupId), forged)).toEqual({
			code: CloseCode.unauthenticated,
			received: 0
		});
	});

	it('a socket opened from a foreign Origin, even with a valid session (4403)', async () => {
		expect(await refusal(groupDocumentName(groupId), member, 'https://evil.example')).toEqual({
			code: CloseCode.forbidden,
			received: 0
		});
	});

	it('a person who is not in the group (4403)', async () => {
		expect(await refusal(groupDocumentName(groupId), outsider)).toEqual({ code: CloseCode.forbidden, received: 0 });
	});

	it("a member opening another group's archive of a finished session (4403)", async () => {
		expect(await refusal(archiveDocumentName(otherGroupId, '2026q3'), member)).toEqual({
			code: CloseCode.forbidden,
			received: 0
		});
		expect(await refusal(archiveDocumentName(groupId, '2026q3'), outsider)).toEqual({
			code: CloseCode.forbidden,
			received: 0
		});
	});

	it("a member opening another group's board (4403)", async () => {
		expect(await refusal(groupDocumentName(otherGroupId), member)).toEqual({
			code: CloseCode.forbidden,
			received: 0
		});
	});

	it("a member opening someone else's journal (4403)", async () => {
		expect(await refusal(journalDocumentName(otherMember.userId), member)).toEqual({
			code: CloseCode.forbidden,
			received: 0
		});
	});

	it("a member opening another member's care document (4403)", async () => {
		expect(await refusal(careDocumentName(groupId, otherMember.userId), member)).toEqual({
			code: CloseCode.forbidden,
			received: 0
		});
	});

	it("a member opening the facilitators' staff space (4403)", async () => {
		expect(await refusal(staffDocumentName(groupId), member)).toEqual({ code: CloseCode.forbidden, received: 0 });
	});

	it('a member who has not signed the agreement in force opening the group board (4428)', async () => {
		const unsignedGroup = await groups.createGroup(facilitator);
		const waiting = await createPerson('Cal');
		await groups.add(unsignedGroup, waiting, facilitator);
		await groups.publishNewAgreement(unsignedGroup, facilitator);
		expect(await refusal(groupDocumentName(unsignedGroup), waiting)).toEqual({
			code: CloseCode.agreementRequired,
			received: 0
		});
		expect(await refusal(archiveDocumentName(unsignedGroup, '2026q3'), waiting)).toEqual({
			code: CloseCode.agreementRequired,
			received: 0
		});
		// Their line to the facilitators and their own journal stay open: a crisis does not wait for a signature.
		const clients = [
			new TestClient(server, careDocumentName(unsignedGroup, waiting.userId), { person: waiting }),
			new TestClient(server, journalDocumentName(waiting.userId), { person: waiting })
		];
		try {
			await Promise.all(clients.map((client) => client.waitForSync()));
			expect(clients.map((client) => client.canWrite)).toEqual([true, true]);
		} finally {
			for (const client of clients) client.destroy();
		}
	});

	it('a path that is not a document name (4404)', async () => {
		expect(await refusal(`group:${groupId}:extra`, member)).toEqual({ code: CloseCode.notFound, received: 0 });
		expect(await refusal('group:NOT-AN-ID', member)).toEqual({ code: CloseCode.notFound, received: 0 });
	});
});

describe('admits', () => {
	it('members and facilitators to their board, and they see each other live', async () => {
		const ada = new TestClient(server, groupDocumentName(groupId), { person: member });
		const robin = new TestClient(server, groupDocumentName(groupId), { person: facilitator });
		try {
			await Promise.all([ada.waitForSync(), robin.waitForSync()]);
			expect(ada.received[0]).toBe(messageAccess);
			expect(ada.received[1]).toBe(messageSync);
			expect(ada.canWrite).toBe(true);

			createPost(ada.doc, { authorId: member.userId, body: 'Arriving a little nervous today.' });
			await ada.waitForSaved();
			await waitFor(() => listPosts(robin.doc).length === 1);
			expect(listPosts(robin.doc)[0]).toMatchObject({ authorId: member.userId });
			expect(ada.refusals).toEqual([]);
		} finally {
			ada.destroy();
			robin.destroy();
		}
	});

	it('members to their group’s archives, writable as the board is', async () => {
		const archive = new TestClient(server, archiveDocumentName(groupId, '2026q3'), { person: otherMember });
		try {
			await archive.waitForSync();
			expect(archive.canWrite).toBe(true);
		} finally {
			archive.destroy();
		}
	});

	it('a member to their own journal and care document, a facilitator to both care and staff', async () => {
		const clients = [
			new TestClient(server, journalDocumentName(member.userId), { person: member }),
			new TestClient(server, careDocumentName(groupId, member.userId), { person: member }),
			new TestClient(server, careDocumentName(groupId, member.userId), { person: facilitator }),
			new TestClient(server, staffDocumentName(groupId), { person: facilitator })
		];
		try {
			await Promise.all(clients.map((client) => client.waitForSync()));
			expect(clients.map((client) => client.canWrite)).toEqual([true, true, true, true]);
		} finally {
			for (const client of clients) client.destroy();
		}
	});
});

describe('records confidential views where content leaves the server', () => {
	const viewsBy = async (person: Person) =>
		(
			await connection.db
				.select({ action: auditEvent.action, objectId: auditEvent.objectId })
				.from(auditEvent)
				.where(and(eq(auditEvent.actorId, person.userId), eq(auditEvent.groupId, groupId)))
		).filter((row) => row.action === 'care.viewed' || row.action === 'staff_space.viewed');

	it("once per socket a facilitator opens on a member's care thread or the staff space, never for the member's own", async () => {
		const watcher = await createPerson('Kit', 'staff');
		await groups.addFacilitator(groupId, watcher, facilitator);
		expect(await viewsBy(watcher)).toEqual([]);
		const clients = [
			new TestClient(server, careDocumentName(groupId, member.userId), { person: watcher }),
			new TestClient(server, staffDocumentName(groupId), { person: watcher }),
			new TestClient(server, careDocumentName(groupId, member.userId), { person: member })
		];
		try {
			await Promise.all(clients.map((client) => client.waitForSync()));
			expect(await viewsBy(watcher)).toEqual(
				expect.arrayContaining([
					{ action: 'care.viewed', objectId: member.userId },
					{ action: 'staff_space.viewed', objectId: groupId }
				])
			);
			expect(await viewsBy(watcher)).toHaveLength(2);
			expect(await viewsBy(member)).toEqual([]);
		} finally {
			for (const client of clients) client.destroy();
		}
	});
});

describe('records refused sockets', () => {
	it('for a signed-in person, once a minute, with the group id and the close code, never the document name', async () => {
		const prober = await createPerson('Pia');
		for (let i = 0; i < 3; i++) {
			expect((await refusal(careDocumentName(groupId, member.userId), prober)).code).toBe(CloseCode.forbidden);
		}
		// Recorded after the close, in the background: wait for the record, then for every attempt's check.
		const recorded = async () =>
			(await connection.db.select().from(auditEvent).where(eq(auditEvent.actorId, prober.userId))).filter(
				(row) => row.action === 'access.refused'
			);
		for (let tries = 0; (await recorded()).length === 0 && tries < 100; tries++)
			await new Promise((r) => setTimeout(r, 50));
		await new Promise((resolve) => setTimeout(resolve, 200));
		const rows = await recorded();
		expect(rows.map((row) => row.detail)).toEqual([{ where: 'socket', target: groupId, code: CloseCode.forbidden }]);
		expect(JSON.stringify(rows)).not.toContain(member.userId);
	});
});
