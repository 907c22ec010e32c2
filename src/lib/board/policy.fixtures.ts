/*
 * Test fixtures for the change policy: a server-side document, clients that sync from it, and the
 * tools to craft updates a real client would never send. Imported by specs only.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { ParsedDocumentName } from './document-names';
import { createBoardId } from './ids';
import { checkUpdate, prepareDocument, type PolicyContext, type PolicyResult } from './policy';

export const NOW = Date.UTC(2026, 0, 10, 18, 30);

export const people = {
	alice: createBoardId(),
	bob: createBoardId(),
	fran: createBoardId()
};

export type Person = keyof typeof people;
const facilitators: Person[] = ['fran'];

/** The server's accepted copy of one document, and the tools to try updates against it. */
export class TestServer {
	readonly doc = new Y.Doc();

	constructor(readonly document: ParsedDocumentName) {
		prepareDocument(this.doc, document.kind);
	}

	context(person: Person, extra: Partial<PolicyContext> = {}): PolicyContext {
		return {
			userId: people[person],
			role: facilitators.includes(person) ? 'facilitator' : 'member',
			canWrite: true,
			document: this.document,
			now: NOW,
			...extra
		};
	}

	/** A client that has synced everything the server has. */
	client(): Y.Doc {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(this.doc));
		return doc;
	}

	/** The update a fresh client sends after `change`. */
	change(change: (doc: Y.Doc) => void, client = this.client()): Uint8Array {
		const before = Y.encodeStateVector(client);
		change(client);
		return Y.encodeStateAsUpdate(client, before);
	}

	/** Runs the policy on a fresh shadow, as the server does after each rebuild. */
	check(update: Uint8Array, person: Person, extra: Partial<PolicyContext> = {}): PolicyResult {
		const shadow = new Y.Doc();
		Y.applyUpdate(shadow, Y.encodeStateAsUpdate(this.doc));
		return checkUpdate(shadow, update, this.context(person, extra));
	}

	/** Runs the policy on the update a fresh client sends after `change`; applies nothing. */
	checkChange(person: Person, change: (doc: Y.Doc) => void): PolicyResult {
		return this.check(this.change(change), person);
	}

	/** Checks and, only when allowed, applies: what the server does. Returns the result. */
	send(update: Uint8Array, person: Person, extra: Partial<PolicyContext> = {}): PolicyResult {
		const result = this.check(update, person, extra);
		if (result.ok) Y.applyUpdate(this.doc, update);
		return result;
	}

	/** A change that must be allowed; applied to the server copy. */
	accept(person: Person, change: (doc: Y.Doc) => void): Uint8Array {
		const update = this.change(change);
		const result = this.send(update, person);
		if (!result.ok) throw new Error(`expected ${person}'s change to be accepted, refused: ${result.reason}`);
		return update;
	}
}

/** Structs for a V1 update, written the way Yjs writes them (encoding.js writeStructs). */
export function encodeStructs(
	structs: Array<Y.Item | Y.GC>,
	deletes: Array<{ client: number; clock: number; len: number }> = []
): Uint8Array {
	const encoder = new Y.UpdateEncoderV1();
	const byClient = new Map<number, Array<Y.Item | Y.GC>>();
	for (const struct of structs) {
		const list = byClient.get(struct.id.client) ?? [];
		list.push(struct);
		byClient.set(struct.id.client, list);
	}
	encoding.writeVarUint(encoder.restEncoder, byClient.size);
	for (const [client, list] of byClient) {
		list.sort((a, b) => a.id.clock - b.id.clock);
		encoding.writeVarUint(encoder.restEncoder, list.length);
		encoder.writeClient(client);
		encoding.writeVarUint(encoder.restEncoder, list[0].id.clock);
		for (const struct of list) struct.write(encoder, 0);
	}
	const dsByClient = new Map<number, Array<{ clock: number; len: number }>>();
	for (const { client, clock, len } of deletes) {
		const list = dsByClient.get(client) ?? [];
		list.push({ clock, len });
		dsByClient.set(client, list);
	}
	encoding.writeVarUint(encoder.restEncoder, dsByClient.size);
	for (const [client, list] of dsByClient) {
		encoder.resetDsCurVal();
		encoding.writeVarUint(encoder.restEncoder, client);
		encoding.writeVarUint(encoder.restEncoder, list.length);
		for (const { clock, len } of list) {
			encoder.writeDsClock(clock);
			encoder.writeDsLen(len);
		}
	}
	return encoder.toUint8Array();
}

/**
 * One hand-made item: `parent` is a root name or the id of the item holding the parent map. No origin
 * unless given, as if written concurrently with everything the server has.
 */
export function craftItem(options: {
	client: number;
	clock: number;
	parent: string | Y.ID;
	parentSub: string | null;
	content:
		| Y.ContentAny
		| Y.ContentType
		| Y.ContentString
		| Y.ContentBinary
		| Y.ContentJSON
		| Y.ContentDeleted
		| Y.ContentEmbed;
	origin?: Y.ID | null;
}): Y.Item {
	const origin = options.origin ?? null;
	return new Y.Item(
		Y.createID(options.client, options.clock),
		null,
		origin,
		null,
		null,
		origin ? null : (options.parent as never),
		origin ? null : options.parentSub,
		options.content
	);
}

/** The id of the item that holds the post map at posts/<postId>. */
export function itemIdOf(type: Y.AbstractType<unknown>): Y.ID {
	if (!type._item) throw new Error('a root type has no item');
	return type._item.id;
}
