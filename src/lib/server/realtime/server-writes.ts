/*
 * Trusted server-side writes: changes Hearth itself makes to a document (a flag into the staff space,
 * hiding and restoring a post, a redaction's tombstone, an urgent message, a notice to an author).
 *
 * They skip the change policy — the caller has already authorised the person asking — but take exactly
 * the path an accepted update takes from storage onwards:
 *
 *   1. the document is read from storage (snapshot + updates), which always holds at least what any
 *      process has shown anyone, since rooms forward (and answer sync requests with) only stored
 *      updates — a room's document may hold an update for the moment it is being stored, or one the
 *      policy refused until it is rebuilt from storage, but no one reads it meanwhile (room.ts);
 *   2. `change(doc)` runs as one Yjs transaction on that copy; the update it emits is the change;
 *   3. the change is appended to `realtime_update` (sealed, with its NOTIFY in the same statement), so it
 *      is durable before anyone sees it;
 *   4. every process, this one included, hears the notice and applies the stored row to its loaded room
 *      through the room's queue (Room.receiveStored), which forwards it to that room's connections.
 *
 * The writer uses its own instance id, so this process's realtime server does not skip the notice as
 * its own. Writes to one document from this process run one at a time, so two server writes never work
 * from the same stale copy; concurrent writers elsewhere merge as any two Yjs updates do.
 */
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { parseDocumentName } from '$lib/board/document-names';
import { prepareDocument } from '$lib/board/policy';
import { connection } from '../db';
import type { DataKeyring } from './encryption';
import { getKeyring, getRealtimeServer } from './index';
import { DocumentStorage } from './storage';

/** Origin of the transaction a server write runs in. */
export const SERVER_WRITE = Symbol('hearth-server-write');

let storage: DocumentStorage | undefined;
let keyringForTests: DataKeyring | undefined;
// Per-document queues: which document is busy, never whose data.
const queues = new Map<string, Promise<unknown>>();

function getStorage(): DocumentStorage {
	storage ??= new DocumentStorage(
		connection.db,
		keyringForTests ?? getKeyring(),
		`server-write-${randomBytes(6).toString('hex')}`
	);
	return storage;
}

/** Tests only: seal with the keyring of the test's realtime server rather than the app's. */
export function useKeyringForServerWrites(keyring: DataKeyring): void {
	keyringForTests = keyring;
	storage = undefined;
}

function serially<T>(name: string, task: () => Promise<T>): Promise<T> {
	const run = (queues.get(name) ?? Promise.resolve()).then(task);
	const tail = run.catch(() => {});
	queues.set(name, tail);
	void tail.then(() => {
		if (queues.get(name) === tail) queues.delete(name);
	});
	return run;
}

/**
 * Changes a document as the server: `change` gets the stored document and runs in one transaction;
 * whatever it changes is stored (encrypted) and then reaches every connected client in every process.
 * Returns what `change` returned. Throws for a name that is not a document, or when storage fails
 * (then nothing was changed anywhere).
 */
export function changeDocument<T>(name: string, change: (doc: Y.Doc) => T): Promise<T> {
	const parsed = parseDocumentName(name);
	if (!parsed) throw new TypeError('Not a document name');
	return serially(name, async () => {
		const writer = getStorage();
		const { updates } = await writer.load(name);
		const doc = new Y.Doc({ gc: true });
		try {
			doc.transact(() => {
				for (const update of updates) Y.applyUpdate(doc, update);
			});
			prepareDocument(doc, parsed.kind);
			const changes: Uint8Array[] = [];
			doc.on('update', (update: Uint8Array) => changes.push(update));
			let result!: T;
			doc.transact(() => {
				result = change(doc);
			}, SERVER_WRITE);
			if (changes.length > 0) await writer.append(name, changes.length === 1 ? changes[0] : Y.mergeUpdates(changes));
			return result;
		} finally {
			doc.destroy();
		}
	});
}

/**
 * Changes several documents as the server, all or nothing: `change` gets each stored document (in the
 * order of `names`) and runs as one Yjs transaction per document; the resulting updates are stored in
 * one statement (DocumentStorage.appendTogether), so either every document changes, everywhere, or none
 * does. For writes that must not be half-done (an urgent message and its alert).
 */
export function changeDocuments<T>(names: string[], change: (docs: Y.Doc[]) => T): Promise<T> {
	const parsed = names.map((name) => parseDocumentName(name));
	if (parsed.some((p) => !p) || new Set(names).size !== names.length)
		throw new TypeError('Not distinct document names');
	// Every writer takes the queues in the same (sorted) order, so two of them never wait for each other.
	const ordered = [...names].sort();
	const run = ordered.reduceRight<() => Promise<T>>(
		(inner, name) => () => serially(name, inner),
		async () => {
			const writer = getStorage();
			const docs = await Promise.all(
				names.map(async (name, index) => {
					const { updates } = await writer.load(name);
					const doc = new Y.Doc({ gc: true });
					doc.transact(() => {
						for (const update of updates) Y.applyUpdate(doc, update);
					});
					prepareDocument(doc, parsed[index]!.kind);
					return doc;
				})
			);
			try {
				const changes = docs.map((doc) => {
					const collected: Uint8Array[] = [];
					doc.on('update', (update: Uint8Array) => collected.push(update));
					return collected;
				});
				let result!: T;
				// One transaction per document: Yjs transactions do not span documents.
				const transactAll = (index: number): void => {
					if (index === docs.length) {
						result = change(docs);
						return;
					}
					docs[index].transact(() => transactAll(index + 1), SERVER_WRITE);
				};
				transactAll(0);
				const together = names.flatMap((name, index) =>
					changes[index].length === 0
						? []
						: [
								{
									document: name,
									update: changes[index].length === 1 ? changes[index][0] : Y.mergeUpdates(changes[index])
								}
							]
				);
				if (together.length > 0) await writer.appendTogether(together);
				return result;
			} finally {
				for (const doc of docs) doc.destroy();
			}
		}
	);
	return run();
}

/** Reads a document as stored (for server code that decides what to change); the copy is the caller's. */
export async function readDocument(name: string): Promise<Y.Doc> {
	const parsed = parseDocumentName(name);
	if (!parsed) throw new TypeError('Not a document name');
	const { updates } = await getStorage().load(name);
	const doc = new Y.Doc({ gc: true });
	doc.transact(() => {
		for (const update of updates) Y.applyUpdate(doc, update);
	});
	prepareDocument(doc, parsed.kind);
	return doc;
}

/**
 * Makes a document's deleted content leave storage now (redaction, moderation, account deletion): folds
 * its update rows into a garbage-collected snapshot after this process's queued server writes to it,
 * through this process's realtime server when it runs (which first lets the room's commits in flight
 * land). Rooms keep working: they never read the rows again once applied.
 */
export async function compactDocument(name: string): Promise<void> {
	await serially(name, async () => {
		const server = getRealtimeServer();
		if (server) await server.compact(name);
		else await getStorage().compact(name);
	});
}

/**
 * Removes a document from storage for good, with its client-id bindings (a purged group's documents):
 * after this process's queued server writes to it, and under the compaction lock, so a compaction
 * running elsewhere cannot write its snapshot back.
 */
export async function deleteStoredDocument(name: string): Promise<void> {
	if (!parseDocumentName(name)) throw new TypeError('Not a document name');
	await serially(name, () => getStorage().deleteDocument(name));
}
