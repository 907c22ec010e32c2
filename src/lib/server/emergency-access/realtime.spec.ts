// Emergency access on the realtime server: a clinical lead with an open grant reads the group's board over a
// read-only connection; every write is refused; the view is audited when the socket is admitted; the
// socket closes when the grant is ended or runs out; and a grant opens nothing else.
import * as Y from 'yjs';
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { careDocumentName, groupDocumentName, staffDocumentName } from '$lib/board/document-names';
import { createPost, getPost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { generateId } from '$lib/server/db/ids';
import { auditEvent, clinicalLead, emergencyAccess } from '$lib/server/db/schema';
import { CloseCode, encodeSyncUpdate } from '../realtime/protocol';
import {
	RawSocket,
	TestClient,
	createPerson,
	loadStoredDocument,
	startRealtimeCircle,
	waitFor,
	type Person
} from '$test/realtime';
import { endEmergencyAccess } from './grants';

const circle = await startRealtimeCircle({ members: ['Ada'] });
const { server, groups, facilitator: robin, groupId, document } = circle;
const [ada] = circle.members;
const { db } = connection;

const adaClient = new TestClient(server, document, { person: ada });
await adaClient.waitForSync();
const adaPost = createPost(adaClient.doc, { authorId: ada.userId, body: 'I have not slept since the journey.' });
await adaClient.waitForSaved();

afterAll(() => adaClient.destroy());

async function makeLead(name: string): Promise<Person> {
	const lead = await createPerson(name, 'staff');
	await db.insert(clinicalLead).values({ userId: lead.userId, markedBy: robin.userId });
	return lead;
}

async function grant(lead: Person, group = groupId, minutes = 60) {
	const id = generateId();
	await db.insert(emergencyAccess).values({
		id,
		leadId: lead.userId,
		groupId: group,
		reason: 'A member wrote about a plan to harm themselves.',
		endsAt: new Date(Date.now() + minutes * 60_000)
	});
	return id;
}

async function viewsOf(lead: Person) {
	return db
		.select()
		.from(auditEvent)
		.where(and(eq(auditEvent.actorId, lead.userId), eq(auditEvent.action, 'emergency_access.viewed')));
}

describe('a clinical lead with an open grant', () => {
	it("reads the group's board, read-only, and the opening is audited before any byte is sent", async () => {
		const lead = await makeLead('Lead Morgan');
		const grantId = await grant(lead);
		const client = new TestClient(server, document, { person: lead });
		try {
			await client.waitForSync();
			expect(client.canWrite).toBe(false);
			expect(getPost(client.doc, adaPost)).toMatchObject({ body: 'I have not slept since the journey.' });
			const views = await viewsOf(lead);
			expect(views).toHaveLength(1);
			expect(views[0]).toMatchObject({ groupId, objectType: 'group', objectId: groupId, detail: { grant: grantId } });
		} finally {
			client.destroy();
		}
	});

	it('cannot write: a raw post update is refused, stored nowhere and forwarded to nobody', async () => {
		const lead = await makeLead('Lead Noor');
		await grant(lead);
		const scratch = new Y.Doc();
		Y.applyUpdate(scratch, Y.encodeStateAsUpdate(adaClient.doc));
		const before = Y.encodeStateVector(scratch);
		const forged = createPost(scratch, { authorId: lead.userId, body: 'Written during emergency access.' });
		const raw = RawSocket.forDocument(server, document, lead);
		try {
			await raw.opened;
			raw.send(encodeSyncUpdate(Y.encodeStateAsUpdate(scratch, before)));
			await waitFor(() => raw.refusals.length > 0);
			expect(raw.refusals).toEqual(['read-only']);
			// Ada writes after it: once her post reaches her again, anything forwarded before would have too.
			const marker = createPost(adaClient.doc, { authorId: ada.userId, body: 'Still here.' });
			await adaClient.waitForSaved();
			expect(getPost(await loadStoredDocument(document), marker)).not.toBeNull();
			expect(getPost(await loadStoredDocument(document), forged)).toBeNull();
			expect(getPost(adaClient.doc, forged)).toBeNull();
		} finally {
			raw.close();
		}
	});

	it('is not shown as present to the group', async () => {
		const lead = await makeLead('Lead Ravi');
		await grant(lead);
		const client = new TestClient(server, document, { person: lead });
		try {
			await client.waitForSync();
			client.provider.awareness.setLocalStateField('typing', true);
			// A refused change after it: once it is answered, the server has handled the awareness message too.
			createPost(client.doc, { authorId: lead.userId, body: 'Refused.' });
			await waitFor(() => client.refusals.length > 0);
			// Ada says she is typing: Robin, joining now, sees her, and would have been sent the lead's state with hers.
			adaClient.provider.awareness.setLocalStateField('typing', true);
			const observer = new TestClient(server, document, { person: robin });
			try {
				const present = () =>
					[...observer.provider.awareness.getStates().values()].map(
						(state) => (state.user as { id: string } | undefined)?.id
					);
				await waitFor(() => present().includes(ada.userId));
				expect(present()).not.toContain(lead.userId);
			} finally {
				observer.destroy();
			}
		} finally {
			client.destroy();
		}
	});

	it("opens neither another group's board nor this group's care threads or staff space", async () => {
		const lead = await makeLead('Lead Iris');
		await grant(lead);
		const otherFacilitator = await createPerson('Sam', 'staff');
		const otherGroup = await groups.createGroup(otherFacilitator);
		for (const name of [
			groupDocumentName(otherGroup),
			staffDocumentName(groupId),
			careDocumentName(groupId, ada.userId)
		]) {
			const client = new TestClient(server, name, { person: lead });
			try {
				expect(await client.waitForClose()).toBe(CloseCode.forbidden);
				expect(client.synced).toBe(false);
			} finally {
				client.destroy();
			}
		}
		expect(await viewsOf(lead)).toHaveLength(0);
	});
});

describe('the socket closes and is refused again', () => {
	it('when the lead ends the grant early', async () => {
		const lead = await makeLead('Lead Kai');
		const grantId = await grant(lead);
		const client = new TestClient(server, document, { person: lead });
		try {
			await client.waitForSync();
			await endEmergencyAccess({ leadId: lead.userId, grantId });
			expect(await client.waitForClose(5_000)).toBe(CloseCode.forbidden);
		} finally {
			client.destroy();
		}
		const again = new TestClient(server, document, { person: lead });
		try {
			expect(await again.waitForClose()).toBe(CloseCode.forbidden);
			expect(again.synced).toBe(false);
		} finally {
			again.destroy();
		}
	});

	it('when the grant runs out', async () => {
		const lead = await makeLead('Lead Tove');
		// Runs out in two seconds: long enough to connect on a busy machine, checked every second.
		const grantId = await grant(lead, groupId, 2 / 60);
		const client = new TestClient(server, document, { person: lead });
		try {
			await client.waitForSync();
			expect(await client.waitForClose(10_000)).toBe(CloseCode.forbidden);
		} finally {
			client.destroy();
		}
		const [row] = await db.select().from(emergencyAccess).where(eq(emergencyAccess.id, grantId));
		expect(row.endsAt.getTime()).toBeLessThanOrEqual(Date.now());
		const again = new TestClient(server, document, { person: lead });
		try {
			expect(await again.waitForClose()).toBe(CloseCode.forbidden);
		} finally {
			again.destroy();
		}
	});

	it('when the admin takes the clinical lead mark away', async () => {
		const { setClinicalLead } = await import('./leads');
		const lead = await makeLead('Lead Ola');
		await grant(lead);
		const client = new TestClient(server, document, { person: lead });
		try {
			await client.waitForSync();
			await setClinicalLead({ adminId: robin.userId, userId: lead.userId, lead: false });
			expect(await client.waitForClose(5_000)).toBe(CloseCode.forbidden);
		} finally {
			client.destroy();
		}
	});
});

it('a staff member who is not a clinical lead, even holding a grant row, is refused', async () => {
	const staff = await createPerson('Staff Pat', 'staff');
	await grant(staff);
	const client = new TestClient(server, document, { person: staff });
	try {
		expect(await client.waitForClose()).toBe(CloseCode.forbidden);
	} finally {
		client.destroy();
	}
});
