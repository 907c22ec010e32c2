// The room keeps one copy of the document: the policy judges updates on it, so a refused update or one
// that could not be stored must leave no trace once the room has rebuilt it from storage, and nobody may
// be served from it in between.
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import { parseDocumentName } from '$lib/board/document-names';
import { checkUpdate } from '$lib/board/policy';
import { createPost, editPost, getPost } from '$lib/board/posts';
import { Room, type RoomMember } from './room';
import type { DocumentStorage } from './storage';

class FakeStorage {
	rows: Uint8Array[] = [];
	failAppends = false;
	bindings = new Map<number, string>();
	async load() {
		return { updates: [...this.rows], lastUpdateId: this.rows.length };
	}
	async loadClientBindings() {
		return new Map(this.bindings);
	}
	async bindClients(_document: string, clientIds: number[], userId: string) {
		for (const id of clientIds) if (!this.bindings.has(id)) this.bindings.set(id, userId);
		return new Map(clientIds.map((id) => [id, this.bindings.get(id)!]));
	}
	async append(_document: string, update: Uint8Array) {
		await new Promise((resolve) => setTimeout(resolve, 5));
		if (this.failAppends) throw new Error('database unavailable');
		this.rows.push(update);
		return this.rows.length;
	}
	async readUpdate(_document: string, id: number) {
		return this.rows[id - 1] ?? null;
	}
	async compact() {
		return { folded: 0 };
	}
}

function member(userId: string): RoomMember & { received: Uint8Array[] } {
	const received: Uint8Array[] = [];
	return {
		userId,
		role: 'member',
		canWrite: true,
		presence: { id: userId, name: userId, role: 'member' },
		awarenessClients: new Set(),
		received,
		send: (message) => received.push(message)
	};
}

const NAME = 'group:roomspecgroupaaaa';
const ADA = 'adaaaaaaaaaaaaaaaa';
const BEA = 'beaaaaaaaaaaaaaaaa';
const CY = 'cyaaaaaaaaaaaaaaaa';

async function setup() {
	const storage = new FakeStorage();
	const room = await Room.load(NAME, parseDocumentName(NAME)!, {
		storage: storage as unknown as DocumentStorage,
		policy: checkUpdate,
		limits: { maxAwarenessStateBytes: 4096, maxAwarenessClientsPerConnection: 4 },
		relayAwareness: () => {},
		log: { warn: () => {}, error: () => {} }
	});
	return { storage, room };
}

/** Makes a change on a client copy and returns the update it produced. */
function write(client: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
	const before = Y.encodeStateVector(client);
	change(client);
	return Y.encodeStateAsUpdate(client, before);
}

describe('one document per room', () => {
	it('a refused update is gone from the room once it answers, and others never get it', async () => {
		const { storage, room } = await setup();
		const ada = member(ADA);
		const bea = member(BEA);
		room.join(ada);
		room.join(bea);
		const adaDoc = new Y.Doc();
		let postId = '';
		const post = write(adaDoc, (doc) => (postId = createPost(doc, { authorId: ADA, body: 'Mine.' })));
		expect(await room.receiveUpdate(ada, post)).toEqual({ kind: 'saved' });
		expect(bea.received).toHaveLength(1);

		const beaDoc = new Y.Doc();
		Y.applyUpdate(beaDoc, Y.encodeStateAsUpdate(adaDoc));
		const svBefore = room.stateVector();
		const forged = write(beaDoc, (doc) => editPost(doc, postId, 'Rewritten by Bea.'));
		const verdict = await room.receiveUpdate(bea, forged);
		expect(verdict).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^policy: /) });
		expect(getPost(room.doc, postId)).toMatchObject({ body: 'Mine.' });
		expect(room.stateVector()).toEqual(svBefore);
		expect(ada.received).toHaveLength(0);
		expect(bea.received).toHaveLength(1);
		expect(storage.rows).toHaveLength(1);
		await room.close();
	});

	it('the rebuild after a refusal forwards what other processes stored meanwhile', async () => {
		const { storage, room } = await setup();
		const ada = member(ADA);
		const bea = member(BEA);
		room.join(ada);
		room.join(bea);
		const adaDoc = new Y.Doc();
		let postId = '';
		expect(await room.receiveUpdate(ada, write(adaDoc, (doc) => (postId = createPost(doc, { authorId: ADA, body: 'Mine.' }))))).toEqual({
			kind: 'saved'
		});
		// Another process stores a post; its notice has not arrived here.
		const otherDoc = new Y.Doc();
		Y.applyUpdate(otherDoc, Y.encodeStateAsUpdate(adaDoc));
		let otherPost = '';
		storage.rows.push(write(otherDoc, (doc) => (otherPost = createPost(doc, { authorId: CY, body: 'From elsewhere.' }))));

		const beaDoc = new Y.Doc();
		Y.applyUpdate(beaDoc, Y.encodeStateAsUpdate(adaDoc));
		const refused = await room.receiveUpdate(bea, write(beaDoc, (doc) => editPost(doc, postId, 'Rewritten.')));
		expect(refused.kind).toBe('refused');
		// Ada has the other process's post now, and not Bea's edit.
		const adaView = new Y.Doc();
		Y.applyUpdate(adaView, Y.encodeStateAsUpdate(adaDoc));
		for (const message of ada.received) Y.applyUpdate(adaView, syncUpdateOf(message));
		expect(getPost(adaView, otherPost)).toMatchObject({ body: 'From elsewhere.' });
		expect(getPost(adaView, postId)).toMatchObject({ body: 'Mine.' });
		// The notice arriving later changes nothing and sends nothing more.
		const sent = ada.received.length;
		await room.receiveStored(storage.rows.length);
		expect(ada.received).toHaveLength(sent);
		await room.close();
	});

	it('an update whose store fails is rolled back from the room; nothing reads it meanwhile', async () => {
		const { storage, room } = await setup();
		const ada = member(ADA);
		const bea = member(BEA);
		room.join(ada);
		room.join(bea);
		const adaDoc = new Y.Doc();
		const svBefore = room.stateVector();
		storage.failAppends = true;
		let postId = '';
		const pending = room.receiveUpdate(ada, write(adaDoc, (doc) => (postId = createPost(doc, { authorId: ADA, body: 'Lost.' }))));
		// While it is being stored (the document holds it already): a sync answer waits for the outcome, a
		// joining client gets the state vector from before it.
		await new Promise((resolve) => setTimeout(resolve, 1));
		expect(getPost(room.doc, postId)).not.toBeNull();
		const answer = room.answerSyncStep1(Y.encodeStateVector(new Y.Doc()));
		expect(room.stateVector()).toEqual(svBefore);
		expect(await pending).toEqual({ kind: 'failed' });
		const reply = await answer;
		const view = new Y.Doc();
		Y.applyUpdate(view, reply!);
		expect(getPost(view, postId)).toBeNull();
		expect(getPost(room.doc, postId)).toBeNull();
		expect(bea.received).toHaveLength(0);

		// The client sends it again once storage is back: stored, forwarded once.
		storage.failAppends = false;
		expect(await room.receiveUpdate(ada, Y.encodeStateAsUpdate(adaDoc))).toEqual({ kind: 'saved' });
		expect(getPost(room.doc, postId)).toMatchObject({ body: 'Lost.' });
		expect(bea.received).toHaveLength(1);
		expect(storage.rows).toHaveLength(1);
		await room.close();
	});
});

/** The Yjs update in a sync update message (type 0, step 2, length-prefixed update). */
function syncUpdateOf(message: Uint8Array): Uint8Array {
	const decoder = decoding.createDecoder(message);
	decoding.readVarUint(decoder);
	decoding.readVarUint(decoder);
	return decoding.readVarUint8Array(decoder);
}
