/*
 * A room is one loaded document and the connections open on it, in this process.
 *
 * It keeps two copies of the document. `doc` is what everyone has seen: only updates already stored in
 * PostgreSQL reach it, and every change to it is forwarded to the room's connections. `shadow` is where
 * an incoming update is tried first: the change policy applies it there and inspects the transaction;
 * if anything is wrong, the shadow is rebuilt from `doc` and nothing else happened. The update that is
 * stored and forwarded is the one the shadow's transaction emitted, so a re-sent or partly known update
 * stores only what is new.
 *
 * Every change to the two copies runs through one queue per room, so the copies stay identical and
 * storage order is acceptance order. Updates from other processes (fan-out.ts) join the same queue.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { ParsedDocumentName } from '$lib/board/document-names';
import {
	decodeAwarenessUpdate,
	encodeAwarenessMessage,
	encodeAwarenessUpdate,
	encodeSyncUpdate,
	type AwarenessEntry,
	type RefusalReason
} from './protocol';
import { removesRootEntry, schedulePurge } from './purge';
import type { DocumentStorage } from './storage';

/** The context the board's change policy judges an update in. */
export interface UpdateContext {
	userId: string;
	role: 'facilitator' | 'member';
	canWrite: boolean;
	document: ParsedDocumentName;
}

export type PolicyResult = { ok: true } | { ok: false; reason: string };

/**
 * The board's change policy ($lib/board): applies `update` to `shadow` and inspects the transaction.
 * It must apply the update (an update it does not apply is treated as changing nothing).
 */
export type ChangePolicy = (shadow: Y.Doc, update: Uint8Array, context: UpdateContext) => PolicyResult;

/** What the room needs to know about a connection. */
export interface RoomMember {
	readonly userId: string;
	readonly role: 'facilitator' | 'member';
	readonly canWrite: boolean;
	/** Who the server says this is, put into each of its awareness states as `user`. */
	readonly presence: { id: string; name: string; role: 'facilitator' | 'member' };
	readonly awarenessClients: Set<number>;
	send(message: Uint8Array): void;
}

export type Verdict =
	| { kind: 'saved' }
	| { kind: 'refused'; reason: RefusalReason; violation: boolean }
	/** Storage failed: nothing was applied or forwarded; the connection should be closed so the client retries. */
	| { kind: 'failed' };

export interface RoomLimits {
	maxAwarenessStateBytes: number;
	maxAwarenessClientsPerConnection: number;
}

export interface RoomDependencies {
	storage: DocumentStorage;
	policy: ChangePolicy;
	limits: RoomLimits;
	/** Sends an awareness update to the other processes. */
	relayAwareness(document: string, update: Uint8Array): void;
	log: RealtimeLog;
}

export interface RealtimeLog {
	warn(message: string, detail?: Record<string, unknown>): void;
	error(message: string, detail?: Record<string, unknown>): void;
}

/** Origin of changes that arrived from another process (already checked and stored there). */
export const REMOTE = Symbol('remote');

export class Room {
	readonly name: string;
	readonly document: ParsedDocumentName;
	readonly doc: Y.Doc;
	readonly awareness: awarenessProtocol.Awareness;
	readonly members = new Set<RoomMember>();
	/** Accepted updates since this process last compacted the document. */
	updatesSinceCompaction = 0;
	closed = false;

	#shadow: Y.Doc;
	#bindings: Map<number, string>;
	readonly #awarenessOwners = new Map<number, RoomMember>();
	readonly #deps: RoomDependencies;
	#queue: Promise<unknown> = Promise.resolve();

	private constructor(
		name: string,
		document: ParsedDocumentName,
		doc: Y.Doc,
		bindings: Map<number, string>,
		deps: RoomDependencies
	) {
		this.name = name;
		this.document = document;
		this.doc = doc;
		this.#shadow = cloneDoc(doc);
		this.#bindings = bindings;
		this.#deps = deps;
		this.awareness = new awarenessProtocol.Awareness(doc);
		// The server has no presence of its own.
		this.awareness.setLocalState(null);

		doc.on('update', (update: Uint8Array, origin: unknown) => {
			const message = encodeSyncUpdate(update);
			for (const member of this.members) {
				if (member !== origin) member.send(message);
			}
		});
		this.awareness.on(
			'update',
			({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
				const changed = [...added, ...updated, ...removed];
				if (changed.length === 0) return;
				const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
				const message = encodeAwarenessMessage(update);
				for (const member of this.members) member.send(message);
				if (origin !== REMOTE) this.#deps.relayAwareness(this.name, update);
			}
		);
	}

	static async load(name: string, document: ParsedDocumentName, deps: RoomDependencies): Promise<Room> {
		const [{ updates }, bindings] = await Promise.all([
			deps.storage.load(name),
			deps.storage.loadClientBindings(name)
		]);
		const doc = new Y.Doc({ gc: true });
		doc.transact(() => {
			for (const update of updates) Y.applyUpdate(doc, update);
		});
		return new Room(name, document, doc, bindings, deps);
	}

	/** Runs `task` after every change queued before it; a failing task does not stop the queue. */
	#serially<T>(task: () => Promise<T> | T): Promise<T> {
		const run = this.#queue.then(task);
		this.#queue = run.catch(() => {});
		return run;
	}

	/** Resolves when everything queued so far has run. */
	settle(): Promise<void> {
		return this.#serially(() => {});
	}

	/** Checks, stores and applies an update from a member; see the header for the order of things. */
	receiveUpdate(member: RoomMember, update: Uint8Array): Promise<Verdict> {
		return this.#serially(async () => {
			if (this.closed) return { kind: 'failed' } as const;
			let verdict = await this.#tryUpdate(member, update);
			if (verdict.kind === 'refused' && (verdict.reason === 'client-id' || verdict.reason === 'incomplete')) {
				// The update may only be ahead of us: a change stored by another process whose notice has not
				// arrived yet, which the client saw there before reconnecting here. Catch up and look again.
				await this.#catchUp();
				verdict = await this.#tryUpdate(member, update);
			}
			return verdict;
		});
	}

	async #tryUpdate(member: RoomMember, update: Uint8Array): Promise<Verdict> {
		let diff: Uint8Array;
		let decoded: ReturnType<typeof Y.decodeUpdate>;
		try {
			// Whatever the shadow already has is dropped here, so only new structs are judged (deletes stay).
			diff = Y.diffUpdate(update, Y.encodeStateVector(this.#shadow));
			decoded = Y.decodeUpdate(diff);
		} catch {
			return { kind: 'refused', reason: 'malformed', violation: true };
		}
		// A client's sync step 2 carries its whole delete set, mostly deletions everyone has already.
		if (decoded.structs.length === 0 && deletesNothingNew(decoded.ds, this.#shadow)) return { kind: 'saved' };
		if (!member.canWrite) return { kind: 'refused', reason: 'read-only', violation: false };

		const check = checkStructs(decoded, this.#shadow.store, this.#bindings, member.userId);
		if (check.problem) return { kind: 'refused', reason: check.problem, violation: true };

		const changes: Uint8Array[] = [];
		const capture = (change: Uint8Array) => changes.push(change);
		const hadPending = hasPending(this.#shadow);
		let result: PolicyResult;
		this.#shadow.on('update', capture);
		try {
			result = this.#deps.policy(this.#shadow, diff, {
				userId: member.userId,
				role: member.role,
				canWrite: member.canWrite,
				document: this.document
			});
		} catch {
			result = { ok: false, reason: 'the update could not be read' };
		} finally {
			this.#shadow.off('update', capture);
		}
		if (result.ok && !hadPending && hasPending(this.#shadow)) {
			this.#rebuildShadow();
			return { kind: 'refused', reason: 'incomplete', violation: true };
		}
		if (!result.ok) {
			this.#rebuildShadow();
			return { kind: 'refused', reason: `policy: ${result.reason}`, violation: true };
		}
		if (changes.length === 0) return { kind: 'saved' };
		const change = changes.length === 1 ? changes[0] : Y.mergeUpdates(changes);

		try {
			if (check.newClients.length > 0) {
				const owners = await this.#deps.storage.bindClients(this.name, check.newClients, member.userId);
				for (const [clientId, userId] of owners) this.#bindings.set(clientId, userId);
				if (check.newClients.some((clientId) => owners.get(clientId) !== member.userId)) {
					this.#rebuildShadow();
					return { kind: 'refused', reason: 'client-id', violation: true };
				}
			}
			await this.#deps.storage.append(this.name, change);
		} catch (error) {
			this.#rebuildShadow();
			this.#deps.log.error('storing an update failed', { kind: this.document.kind, error });
			return { kind: 'failed' };
		}
		// Stored: now, and only now, everyone may see it.
		Y.applyUpdate(this.doc, change, member);
		this.updatesSinceCompaction++;
		// A deleted post must leave storage too, not only the document (purge.ts).
		if (decoded.ds.clients.size > 0 && removesRootEntry(this.doc, change)) {
			schedulePurge(this.name, () => this.#deps.storage.compact(this.name), this.#deps.log);
		}
		return { kind: 'saved' };
	}

	/** Applies an update another process stored (its row id from a notice). */
	receiveStored(id: number): Promise<void> {
		return this.#serially(async () => {
			if (this.closed) return;
			const update = await this.#deps.storage.readUpdate(this.name, id);
			// Gone means compacted into the snapshot already: read everything (applying twice is harmless).
			if (update === null) await this.#catchUp();
			else this.#applyRemote(update);
		});
	}

	/** Re-reads the stored document and applies whatever this process has not seen (after a lost notice). */
	catchUp(): Promise<void> {
		return this.#serially(() => this.#catchUp());
	}

	async #catchUp(): Promise<void> {
		if (this.closed) return;
		const { updates } = await this.#deps.storage.load(this.name);
		if (updates.length > 0) this.#applyRemote(Y.mergeUpdates(updates));
	}

	#applyRemote(update: Uint8Array) {
		Y.applyUpdate(this.#shadow, update, REMOTE);
		Y.applyUpdate(this.doc, update, REMOTE);
	}

	#rebuildShadow() {
		this.#shadow.destroy();
		this.#shadow = cloneDoc(this.doc);
	}

	/**
	 * Takes a member's awareness update, keeping only states for client ids that are this member's (the
	 * first connection to use an id in the room owns it; ids bound to another user's writing are never
	 * theirs) and stamping each with the member's identity. Returns false when the update was malformed.
	 */
	receiveAwareness(member: RoomMember, update: Uint8Array): boolean {
		let entries: AwarenessEntry[];
		try {
			entries = decodeAwarenessUpdate(update);
		} catch {
			return false;
		}
		const { maxAwarenessStateBytes, maxAwarenessClientsPerConnection } = this.#deps.limits;
		const accepted: AwarenessEntry[] = [];
		for (const entry of entries) {
			const owner = this.#awarenessOwners.get(entry.clientId);
			if (owner && owner !== member) continue;
			const boundTo = this.#bindings.get(entry.clientId);
			if (boundTo !== undefined && boundTo !== member.userId) continue;
			if (!owner) {
				if (member.awarenessClients.size >= maxAwarenessClientsPerConnection) continue;
				this.#awarenessOwners.set(entry.clientId, member);
				member.awarenessClients.add(entry.clientId);
			}
			const state = entry.state === null ? null : { ...entry.state, user: member.presence };
			if (state && JSON.stringify(state).length > maxAwarenessStateBytes) continue;
			accepted.push({ clientId: entry.clientId, clock: entry.clock, state });
		}
		if (accepted.length > 0) {
			awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(accepted), member);
		}
		return true;
	}

	receiveRemoteAwareness(update: Uint8Array): void {
		try {
			awarenessProtocol.applyAwarenessUpdate(this.awareness, update, REMOTE);
		} catch (error) {
			this.#deps.log.warn('an awareness update from another process was unreadable', { error });
		}
	}

	/** Every current awareness state, for a member that just joined or asked. */
	encodeAwarenessStates(): Uint8Array | null {
		const clients = [...this.awareness.getStates().keys()];
		if (clients.length === 0) return null;
		return encodeAwarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
	}

	join(member: RoomMember) {
		this.members.add(member);
	}

	/** Removes the member and its presence; returns whether the room is now empty. */
	leave(member: RoomMember): boolean {
		this.members.delete(member);
		const clients = [...member.awarenessClients];
		for (const clientId of clients) this.#awarenessOwners.delete(clientId);
		member.awarenessClients.clear();
		if (clients.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, clients, member);
		return this.members.size === 0;
	}

	/** Stops taking changes and frees the documents, after everything queued has run. */
	async close(): Promise<void> {
		await this.#serially(() => {
			this.closed = true;
		});
		this.awareness.destroy();
		this.#shadow.destroy();
		this.doc.destroy();
	}
}

function cloneDoc(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc({ gc: doc.gc });
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return copy;
}

function deletesNothingNew(ds: ReturnType<typeof Y.decodeUpdate>['ds'], doc: Y.Doc): boolean {
	if (ds.clients.size === 0) return true;
	const deleted = Y.createDeleteSetFromStructStore(doc.store);
	return Y.equalDeleteSets(Y.mergeDeleteSets([deleted, ds]), deleted);
}

function hasPending(doc: Y.Doc): boolean {
	return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/**
 * Checks an update against the shadow before anything is applied: every struct must be written under a
 * client id that is unbound or bound to this user, and everything it builds on (earlier clocks of its
 * client, the items it is inserted next to or into, the items it deletes) must be known. Yjs would keep
 * an update with missing dependencies pending and integrate it later, when someone else supplies them:
 * that later change would then be attributed to the wrong person, so such updates are refused.
 */
export function checkStructs(
	decoded: ReturnType<typeof Y.decodeUpdate>,
	store: Y.Doc['store'],
	bindings: Map<number, string>,
	userId: string
): { problem: 'client-id' | 'incomplete' | null; newClients: number[] } {
	const reach = new Map<number, number>();
	const known = (client: number) => reach.get(client) ?? Y.getState(store, client);
	const newClients = new Set<number>();
	for (const struct of decoded.structs) {
		if (struct instanceof Y.Skip) return { problem: 'incomplete', newClients: [] };
		const { client, clock } = struct.id;
		const owner = bindings.get(client);
		if (owner !== undefined && owner !== userId) return { problem: 'client-id', newClients: [] };
		if (owner === undefined) newClients.add(client);
		const end = known(client);
		if (clock > end) return { problem: 'incomplete', newClients: [] };
		reach.set(client, Math.max(end, clock + struct.length));
	}
	for (const struct of decoded.structs) {
		if (!(struct instanceof Y.Item)) continue;
		const parent = struct.parent instanceof Y.ID ? struct.parent : null;
		for (const ref of [struct.origin, struct.rightOrigin, parent]) {
			if (ref && ref.clock >= known(ref.client)) return { problem: 'incomplete', newClients: [] };
		}
	}
	for (const [client, ranges] of decoded.ds.clients) {
		for (const range of ranges) {
			if (range.clock + range.len > known(client)) return { problem: 'incomplete', newClients: [] };
		}
	}
	return { problem: null, newClients: [...newClients] };
}
