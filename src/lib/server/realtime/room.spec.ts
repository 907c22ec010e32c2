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
import { defaultLimits } from './options';
import { SequenceBrokenError, type AppendOptions, type AppendResult, type DocumentStorage } from './storage';

/** Storage with the same contract as DocumentStorage's appends (order, sequences, claims), in memory. */
class FakeStorage {
	rows: Uint8Array[] = [];
	failAppends = false;
	/** Appends (counted from 1) that fail as if the database had refused them. */
	failing = new Set<number>();
	appends = 0;
	bindings = new Map<number, string>();
	async load() {
		return { updates: [...this.rows], lastUpdateId: this.rows.length };
	}
	async loadClientBindings() {
		return new Map(this.bindings);
	}
	async append(_document: string, update: Uint8Array, { sequence, claim }: AppendOptions = {}): Promise<AppendResult> {
		const number = ++this.appends;
		if (sequence?.broken) throw new SequenceBrokenError();
		await new Promise((resolve) => setTimeout(resolve, 5));
		if (sequence?.broken) throw new SequenceBrokenError();
		if (this.failAppends || this.failing.has(number)) {
			if (sequence) sequence.broken = true;
			throw new Error('database unavailable');
		}
		for (const id of claim?.clientIds ?? []) if (!this.bindings.has(id)) this.bindings.set(id, claim!.userId);
		if (claim?.clientIds.some((id) => this.bindings.get(id) !== claim.userId)) {
			if (sequence) sequence.broken = true;
			return { stored: false, reason: 'client-id' };
		}
		this.rows.push(update);
		return { stored: true, id: this.rows.length };
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
		limits: {
			maxAwarenessStateBytes: 4096,
			maxAwarenessClientsPerConnection: 4,
			maxDocumentBytes: defaultLimits.maxDocumentBytes
		},
		relayAwareness: () => {},
		afterStore: () => {},
		log: { warn: () => {}, error: () => {} }
	});
	return { storage, room };
}

/** A room Ada and Bea have joined. */
async function setupWithAdaAndBea() {
	const { storage, room } = await setup();
	const ada = member(ADA);
	const bea = member(BEA);
	room.join(ada);
	room.join(bea);
	return { storage, room, ada, bea };
}

/** Lets the room send what it forwards at the end of the tick. */
function forwarded(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

/** A client copy that has everything `doc` has. */
function copyOf(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return copy;
}

/** Applies to `doc` every update the room has sent `person`. */
function applyReceived(doc: Y.Doc, person: { received: Uint8Array[] }): Y.Doc {
	for (const message of person.received) Y.applyUpdate(doc, syncUpdateOf(message));
	return doc;
}

/** Makes a change on a client copy and returns the update it produced. */
function write(client: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
	const before = Y.encodeStateVector(client);
	change(client);
	return Y.encodeStateAsUpdate(client, before);
}

describe('one document per room', () => {
	it('a refused update is gone from the room once it answers, and others never get it', async () => {
		const { storage, room, ada, bea } = await setupWithAdaAndBea();
		const adaDoc = new Y.Doc();
		let postId = '';
		const post = write(adaDoc, (doc) => (postId = createPost(doc, { authorId: ADA, body: 'Mine.' })));
		expect(await room.receiveUpdate(ada, post)).toEqual({ kind: 'saved' });
		await forwarded();
		expect(bea.received).toHaveLength(1);

		const beaDoc = copyOf(adaDoc);
		const svBefore = room.stateVector();
		const forged = write(beaDoc, (doc) => editPost(doc, postId, 'Rewritten by Bea.'));
		const verdict = await room.receiveUpdate(bea, forged);
		await forwarded();
		expect(verdict).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^policy: /) });
		expect(getPost(room.doc, postId)).toMatchObject({ body: 'Mine.' });
		expect(room.stateVector()).toEqual(svBefore);
		expect(ada.received).toHaveLength(0);
		expect(bea.received).toHaveLength(1);
		expect(storage.rows).toHaveLength(1);
		await room.close();
	});

	it('the rebuild after a refusal forwards what other processes stored meanwhile', async () => {
		const { storage, room, ada, bea } = await setupWithAdaAndBea();
		const adaDoc = new Y.Doc();
		let postId = '';
		expect(
			await room.receiveUpdate(
				ada,
				write(adaDoc, (doc) => (postId = createPost(doc, { authorId: ADA, body: 'Mine.' })))
			)
		).toEqual({
			kind: 'saved'
		});
		// Another process stores a post; its notice has not arrived here.
		const otherDoc = copyOf(adaDoc);
		let otherPost = '';
		storage.rows.push(
			write(otherDoc, (doc) => (otherPost = createPost(doc, { authorId: CY, body: 'From elsewhere.' })))
		);

		const beaDoc = copyOf(adaDoc);
		const refused = await room.receiveUpdate(
			bea,
			write(beaDoc, (doc) => editPost(doc, postId, 'Rewritten.'))
		);
		expect(refused.kind).toBe('refused');
		await forwarded();
		// Ada has the other process's post now, and not Bea's edit.
		const adaView = applyReceived(copyOf(adaDoc), ada);
		expect(getPost(adaView, otherPost)).toMatchObject({ body: 'From elsewhere.' });
		expect(getPost(adaView, postId)).toMatchObject({ body: 'Mine.' });
		// The notice arriving later changes nothing and sends nothing more.
		const sent = ada.received.length;
		await room.receiveStored(storage.rows.length);
		await forwarded();
		expect(ada.received).toHaveLength(sent);
		await room.close();
	});

	it('an update whose store fails is rolled back from the room; nothing reads it meanwhile', async () => {
		const { storage, room, ada, bea } = await setupWithAdaAndBea();
		const adaDoc = new Y.Doc();
		const svBefore = room.stateVector();
		storage.failAppends = true;
		let postId = '';
		const pending = room.receiveUpdate(
			ada,
			write(adaDoc, (doc) => (postId = createPost(doc, { authorId: ADA, body: 'Lost.' })))
		);
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
		await forwarded();
		expect(bea.received).toHaveLength(0);

		// The client sends it again once storage is back: stored, forwarded once.
		storage.failAppends = false;
		expect(await room.receiveUpdate(ada, Y.encodeStateAsUpdate(adaDoc))).toEqual({ kind: 'saved' });
		expect(getPost(room.doc, postId)).toMatchObject({ body: 'Lost.' });
		await forwarded();
		expect(bea.received).toHaveLength(1);
		expect(storage.rows).toHaveLength(1);
		await room.close();
	});
});

describe('the pipeline', () => {
	it('judges the next update while the previous one commits; stores, answers and forwards in acceptance order', async () => {
		const { storage, room } = await setup();
		const people = [member(ADA), member(BEA), member(CY)];
		for (const person of people) room.join(person);
		const svBefore = room.stateVector();
		const docs = people.map(() => new Y.Doc());
		const ids: string[] = [];
		const updates = people.map((person, index) =>
			write(docs[index], (doc) => ids.push(createPost(doc, { authorId: person.userId, body: `Post ${index}.` })))
		);
		const verdicts = people.map((person, index) => room.receiveUpdate(person, updates[index]));
		// All three judged and handed to storage before the first commit is done; nobody has seen any yet.
		await new Promise((resolve) => setTimeout(resolve, 1));
		expect(storage.appends).toBe(3);
		expect(storage.rows).toHaveLength(0);
		expect(room.stateVector()).toEqual(svBefore);
		for (const person of people) expect(person.received).toHaveLength(0);

		expect(await Promise.all(verdicts)).toEqual(people.map(() => ({ kind: 'saved' })));
		expect(storage.rows.map((row) => Y.decodeUpdate(row).structs[0].id.client)).toEqual(
			docs.map((doc) => doc.clientID)
		);
		await forwarded();
		for (const [index, person] of people.entries()) {
			const view = new Y.Doc();
			Y.applyUpdate(view, updates[index]);
			applyReceived(view, person);
			expect(ids.map((id) => getPost(view, id))).toMatchObject([
				{ body: 'Post 0.' },
				{ body: 'Post 1.' },
				{ body: 'Post 2.' }
			]);
		}
		await room.close();
	});

	it('a failed commit in the middle of a run fails the later ones too; every client converges on what is stored', async () => {
		const { storage, room } = await setup();
		const people = [member(ADA), member(BEA), member(CY), member('dyaaaaaaaaaaaaaaaa')];
		for (const person of people) room.join(person);
		const docs = people.map(() => new Y.Doc());
		const updates = people.map((person, index) =>
			write(docs[index], (doc) => createPost(doc, { authorId: person.userId, body: `Post ${index}.` }))
		);
		storage.failing.add(2);
		const verdicts = await Promise.all(people.map((person, index) => room.receiveUpdate(person, updates[index])));
		// The second could not be stored; the third and fourth were judged on a document holding it.
		expect(verdicts.map((verdict) => verdict.kind)).toEqual(['saved', 'failed', 'failed', 'failed']);
		expect(storage.rows).toHaveLength(1);
		await forwarded();
		for (const [index, person] of people.entries()) applyReceived(docs[index], person);
		// The failed ones reconnect, as a client closed with 4500 does: sync, then send what they have.
		for (const index of [1, 2, 3]) {
			const reply = await room.answerSyncStep1(Y.encodeStateVector(docs[index]));
			Y.applyUpdate(docs[index], reply!);
			expect(await room.receiveUpdate(people[index], Y.encodeStateAsUpdate(docs[index]))).toEqual({ kind: 'saved' });
		}
		await room.settle();
		await forwarded();
		for (const [index, person] of people.entries()) applyReceived(docs[index], person);
		const stored = new Y.Doc();
		for (const row of storage.rows) Y.applyUpdate(stored, row);
		expect(stored.getMap('posts').size).toBe(4);
		for (const doc of [...docs, room.doc])
			expect(doc.getMap('posts').toJSON()).toEqual(stored.getMap('posts').toJSON());
		await room.close();
	});

	it('two members racing a first write with one client id: the first owns it, the other is refused', async () => {
		const { storage, room, ada, bea } = await setupWithAdaAndBea();
		const [adaDoc, beaDoc] = [new Y.Doc(), new Y.Doc()];
		beaDoc.clientID = adaDoc.clientID;
		const adaPost = write(adaDoc, (doc) => createPost(doc, { authorId: ADA, body: 'Mine.' }));
		// Two posts, so that her update reaches beyond Ada's clocks (what Ada's already covers is dropped as known).
		const beaPost = write(beaDoc, (doc) => {
			createPost(doc, { authorId: BEA, body: 'Also mine.' });
			createPost(doc, { authorId: BEA, body: 'And this.' });
		});
		const verdicts = await Promise.all([room.receiveUpdate(ada, adaPost), room.receiveUpdate(bea, beaPost)]);
		expect(verdicts).toEqual([{ kind: 'saved' }, { kind: 'refused', reason: 'client-id', violation: true }]);
		expect(storage.bindings.get(adaDoc.clientID)).toBe(ADA);
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
