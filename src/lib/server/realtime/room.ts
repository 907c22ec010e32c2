/*
 * A room is one loaded document and the connections open on it, in this process.
 *
 * It keeps ONE copy of the document, `doc`. An incoming update is judged on it directly: the change
 * policy applies the update inside its own transaction and inspects what it did. Yjs cannot take a
 * change back, so from that moment until the change is stored, `doc` may hold something nobody else has:
 *
 *   - accepted: the change (the update the policy's transaction emitted, so a re-sent or partly known
 *     update stores only what is new) is appended to PostgreSQL, together with the binding of any Yjs
 *     client id it is the first to write with, and only once that has committed is it forwarded to the
 *     room's other connections and acknowledged;
 *   - refused (by the policy now, or for `client-id` when the commit finds the id is someone else's),
 *     or storing failed: `doc` is thrown away and rebuilt from storage (snapshot + updates, as when the
 *     room loads), once every change accepted before it has committed or failed. Everything accepted
 *     is stored, so the rebuilt document is exactly the accepted state (plus whatever other processes
 *     stored meanwhile, which is forwarded).
 *
 * A pipeline. Judging runs through one queue per room; committing does not hold it: the next update is
 * judged (on a document that holds the changes still committing) while earlier ones commit. Their rows
 * are appended as one AppendSequence (storage.ts), so storage order is acceptance order and a change is
 * stored only if every change judged before it is: when one fails, the later ones fail too and the room
 * rebuilds. The queue's other work never sees an uncommitted change: a sync step 1 is answered once
 * every accepted change has settled, a new connection's state vector is from before the oldest change
 * still committing, and the room's stored state is rebuilt only once nothing is committing. Changes
 * reach connections only through `#forward`, never straight from `doc`'s transactions, and those stored
 * together (one batch) go out as one message. Presence (awareness) does not read the document and is
 * not queued.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { CoolOffWindow } from '$lib/board/cool-off';
import type { ParsedDocumentName } from '$lib/board/document-names';
import type { BoardFact } from '$lib/board/facts';
import {
	decodeAwarenessUpdate,
	encodeAwarenessMessage,
	encodeAwarenessUpdate,
	encodeSyncUpdate,
	type AwarenessEntry,
	type RefusalReason
} from './protocol';
import { removesRootEntry } from './compaction';
import { AppendSequence, SequenceBrokenError, type AppendResult, type DocumentStorage } from './storage';

/** The context the board's change policy judges an update in. */
export interface UpdateContext {
	userId: string;
	role: 'facilitator' | 'member';
	canWrite: boolean;
	document: ParsedDocumentName;
	coolOff?: readonly CoolOffWindow[];
}

/** `facts`: what an accepted change did that others may be told about, once it is stored. */
export type PolicyResult = { ok: true; facts?: readonly BoardFact[] } | { ok: false; reason: string };

/**
 * The board's change policy ($lib/board): applies `update` to `doc` (the room's own document) in one
 * transaction and inspects it. It must apply the update (an update it does not apply is treated as
 * changing nothing). After a refusal `doc` is dirty; the room rebuilds it from storage.
 */
export type ChangePolicy = (doc: Y.Doc, update: Uint8Array, context: UpdateContext) => PolicyResult;

/** What the room needs to know about a connection. */
export interface RoomMember {
	readonly userId: string;
	readonly role: 'facilitator' | 'member';
	readonly canWrite: boolean;
	/** When a member's new group posts wait in their journal (the change policy refuses them). */
	readonly coolOff?: readonly CoolOffWindow[];
	/** Who the server says this is, put into each of its awareness states as `user`. */
	readonly presence: { id: string; name: string; role: 'facilitator' | 'member' };
	readonly awarenessClients: Set<number>;
	send(message: Uint8Array): void;
}

export type Verdict =
	| { kind: 'saved' }
	| { kind: 'refused'; reason: RefusalReason; violation: boolean }
	/** Storage failed: nothing was stored or forwarded; the connection should be closed so the client retries. */
	| { kind: 'failed' };

export interface RoomLimits {
	maxAwarenessStateBytes: number;
	maxAwarenessClientsPerConnection: number;
	/**
	 * How large each kind of document may grow (bytes of stored updates since its last compaction, a
	 * little more than its content): past it, changes are refused as `full`. One person cannot fill the
	 * storage, or make every sync of a document everyone needs ever heavier.
	 */
	maxDocumentBytes: Record<ParsedDocumentName['kind'], number>;
}

export interface RoomDependencies {
	storage: DocumentStorage;
	policy: ChangePolicy;
	limits: RoomLimits;
	/** Sends an awareness update to the other processes. */
	relayAwareness(document: string, update: Uint8Array): void;
	/** Called once an accepted update has been stored and forwarded. */
	afterStore(room: Room, change: StoredChange): void;
	log: RealtimeLog;
}

/** An accepted change, once stored: who made it, and what the policy found it did. */
export interface StoredChange {
	userId: string;
	removesEntry: boolean;
	facts: readonly BoardFact[];
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
	readonly awareness: awarenessProtocol.Awareness;
	readonly members = new Set<RoomMember>();
	closed = false;

	#doc: Y.Doc;
	/**
	 * Set while `#doc` holds a change that will never be stored (a refusal, a failed store, a rebuild that
	 * failed): `before` is the state vector of what the connections had been sent, `deletes` whether the
	 * discarded changes deleted anything. The next queued task rebuilds first.
	 */
	#dirty: { before: Uint8Array; deletes: boolean } | null = null;
	/** While the policy runs: the document's updates are collected here instead of being forwarded. */
	#held: Uint8Array[] | null = null;
	/** Bytes of updates the document holds since its last compaction (roughly: see RoomLimits). */
	#bytes = 0;
	/** The whole document encoded, kept until it changes (see answerSyncStep1). */
	#fullState: Uint8Array | null = null;
	#bindings: Map<number, string>;
	/** Client ids first written with by a change still committing, and by whom. */
	readonly #claims = new Map<number, string>();
	/** Accepted changes still committing, oldest first, each with the state vector from before it. */
	readonly #committing: { before: Uint8Array }[] = [];
	/** The outcomes of those changes (each settles once it is forwarded or dealt with). */
	readonly #commits = new Set<Promise<Verdict>>();
	#sequence = new AppendSequence();
	/** Notices from other processes are applied in the order they arrived. */
	#remoteOrder: Promise<unknown> = Promise.resolve();
	/** Stored changes waiting for the end of this tick, to go out together. */
	#outbox: { update: Uint8Array; origin: unknown }[] = [];
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
		this.#doc = doc;
		this.#watch(doc);
		this.#bindings = bindings;
		this.#deps = deps;
		// Awareness only borrows a client id from its document; it gets a small one of its own, because
		// the room's document is replaced when it is rebuilt.
		this.awareness = new awarenessProtocol.Awareness(new Y.Doc());
		// The server has no presence of its own.
		this.awareness.setLocalState(null);

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
		const [{ doc, bytes }, bindings] = await Promise.all([
			loadDoc(deps.storage, name),
			deps.storage.loadClientBindings(name)
		]);
		const room = new Room(name, document, doc, bindings, deps);
		room.#bytes = bytes;
		return room;
	}

	/**
	 * The room's document. Read it only from a task on the room's queue (it may hold an unstored change
	 * otherwise), and never keep it: a refusal replaces it.
	 */
	get doc(): Y.Doc {
		return this.#doc;
	}

	/** Forwards whatever changes the document, except while the policy runs (then it is held back). */
	#watch(doc: Y.Doc) {
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (doc !== this.#doc) return;
			this.#bytes += update.byteLength;
			this.#fullState = null;
			if (this.#held) this.#held.push(update);
			else this.#forward(update, origin);
		});
	}

	/**
	 * Sends a stored change to every connection except the one it came from, once the current run of
	 * promise callbacks is over: the commits of one batch all resolve in it, so a room's share of a batch
	 * goes out together.
	 */
	#forward(update: Uint8Array, origin: unknown) {
		this.#outbox.push({ update, origin });
		if (this.#outbox.length === 1) queueMicrotask(() => this.#sendOutbox());
	}

	#sendOutbox() {
		const outbox = this.#outbox;
		this.#outbox = [];
		try {
			const origins = new Set(outbox.map((entry) => entry.origin));
			// Several changes go out merged, as one message; their authors get their own back with the others'
			// (Yjs ignores what a document has), which costs less than a merge per recipient.
			const update = outbox.length === 1 ? outbox[0].update : Y.mergeUpdates(outbox.map((entry) => entry.update));
			const skip = origins.size === 1 ? outbox[0].origin : undefined;
			const message = encodeSyncUpdate(update);
			for (const member of this.members) {
				if (member !== skip) member.send(message);
			}
		} catch (error) {
			this.#deps.log.error('forwarding stored changes failed', { kind: this.document.kind, error });
		}
	}

	/** Runs `task` after every change queued before it; a failing task does not stop the queue. */
	#serially<T>(task: () => Promise<T> | T): Promise<T> {
		const run = this.#queue.then(task);
		this.#queue = run.catch(() => {});
		return run;
	}

	/** Resolves when everything queued so far has run and every accepted change has committed (or failed). */
	settle(): Promise<void> {
		return this.#serially(() => this.#drain());
	}

	/** Waits (inside a queued task, so no new change starts) until nothing is committing. */
	async #drain(): Promise<void> {
		while (this.#commits.size > 0) await Promise.allSettled(this.#commits);
	}

	/**
	 * The state vector of what the room has stored, for a connection's sync step 1. Not queued: a client
	 * answers it with its offline changes, and anything it writes before that would depend on them, so it
	 * goes out at once. While the document may hold an unstored change, it is the state from before the
	 * oldest one (never more than storage has: a client must not skip sending something because of it).
	 */
	stateVector(): Uint8Array {
		return this.#dirty?.before ?? this.#committing[0]?.before ?? Y.encodeStateVector(this.#doc);
	}

	/** Answers a sync step 1: what the document has beyond `stateVector`; null when it is unreadable. */
	answerSyncStep1(stateVector: Uint8Array): Promise<Uint8Array | null> {
		return this.#serially(async () => {
			await this.#drain();
			await this.#clean();
			try {
				// A client with nothing asks for everything: encode that once per version of the document.
				if (stateVector.length === 1 && stateVector[0] === 0)
					return (this.#fullState ??= Y.encodeStateAsUpdate(this.#doc));
				return Y.encodeStateAsUpdate(this.#doc, stateVector);
			} catch {
				return null;
			}
		});
	}

	/** Checks, stores and applies an update from a member; see the header for the order of things. */
	async receiveUpdate(member: RoomMember, update: Uint8Array): Promise<Verdict> {
		const judged = await this.#serially(() => this.#judgeUpdate(member, update));
		return 'committed' in judged ? judged.committed : judged;
	}

	/** Judges an update in the queue; an accepted change's commit goes on without holding the queue. */
	async #judgeUpdate(member: RoomMember, update: Uint8Array): Promise<Verdict | { committed: Promise<Verdict> }> {
		if (this.closed) return { kind: 'failed' };
		if (!(await this.#cleanOrFail())) return { kind: 'failed' };
		let judged = await this.#tryUpdate(member, update);
		if (
			'kind' in judged &&
			judged.kind === 'refused' &&
			(judged.reason === 'client-id' || judged.reason === 'incomplete')
		) {
			// The update may only be ahead of us: a change stored by another process whose notice has not
			// arrived yet, which the client saw there before reconnecting here. Catch up and look again.
			if (!(await this.#cleanOrFail())) return { kind: 'failed' };
			await this.#catchUp();
			judged = await this.#tryUpdate(member, update);
		}
		return judged;
	}

	async #tryUpdate(member: RoomMember, update: Uint8Array): Promise<Verdict | { committed: Promise<Verdict> }> {
		const doc = this.#doc;
		const before = Y.encodeStateVector(doc);
		let diff: Uint8Array;
		let decoded: ReturnType<typeof Y.decodeUpdate>;
		try {
			// Whatever the document already has is dropped here, so only new structs are judged (deletes stay).
			// Usually there is nothing to drop (a new change), and the update is judged as it came.
			decoded = Y.decodeUpdate(update);
			diff = update;
			if (!onlyNewStructs(decoded, doc)) {
				diff = Y.diffUpdate(update, before);
				decoded = Y.decodeUpdate(diff);
			}
		} catch {
			return { kind: 'refused', reason: 'malformed', violation: true };
		}
		// A client's sync step 2 carries its whole delete set, mostly deletions everyone has already.
		if (decoded.structs.length === 0 && deletesNothingNew(decoded.ds, doc)) return { kind: 'saved' };
		if (!member.canWrite) return { kind: 'refused', reason: 'read-only', violation: false };
		if (this.#bytes + diff.byteLength > this.#deps.limits.maxDocumentBytes[this.document.kind]) {
			return { kind: 'refused', reason: 'full', violation: false };
		}

		const ownerOf = (clientId: number) => this.#bindings.get(clientId) ?? this.#claims.get(clientId);
		const check = checkStructs(decoded, doc.store, ownerOf, member.userId);
		if (check.problem) return { kind: 'refused', reason: check.problem, violation: true };

		// From here on the document may hold this update before it is stored (see the header).
		const deletes = decoded.ds.clients.size > 0;
		const changes: Uint8Array[] = [];
		const hadPending = hasPending(doc);
		let result: PolicyResult;
		this.#held = changes;
		try {
			result = this.#deps.policy(doc, diff, {
				userId: member.userId,
				role: member.role,
				canWrite: member.canWrite,
				document: this.document,
				coolOff: member.coolOff
			});
		} catch {
			result = { ok: false, reason: 'the update could not be read' };
		} finally {
			this.#held = null;
		}
		if (result.ok && !hadPending && hasPending(doc)) {
			await this.#discard(before, deletes);
			return { kind: 'refused', reason: 'incomplete', violation: true };
		}
		if (!result.ok) {
			await this.#discard(before, deletes);
			return { kind: 'refused', reason: `policy: ${result.reason}`, violation: true };
		}
		if (changes.length === 0) return { kind: 'saved' };
		const facts = result.facts ?? [];
		const change = changes.length === 1 ? changes[0] : Y.mergeUpdates(changes);
		// A deleted post must leave storage too, not only the document (compaction.ts).
		const removesEntry = deletes && removesRootEntry(doc, change);
		for (const clientId of check.newClients) this.#claims.set(clientId, member.userId);
		const entry = { before };
		this.#committing.push(entry);
		const committed = this.#deps.storage
			.append(this.name, change, {
				sequence: this.#sequence,
				claim: { userId: member.userId, clientIds: check.newClients }
			})
			.then(
				(stored) =>
					this.#afterCommit(entry, stored, {
						member,
						change,
						deletes,
						removesEntry,
						newClients: check.newClients,
						facts
					}),
				(error: unknown) => this.#afterFailedCommit(entry, error, deletes, check.newClients)
			);
		this.#commits.add(committed);
		void committed.catch(() => {}).finally(() => this.#commits.delete(committed));
		return { committed };
	}

	#afterCommit(
		entry: { before: Uint8Array },
		stored: AppendResult,
		accepted: {
			member: RoomMember;
			change: Uint8Array;
			deletes: boolean;
			removesEntry: boolean;
			newClients: number[];
			facts: readonly BoardFact[];
		}
	): Verdict {
		for (const clientId of accepted.newClients) this.#claims.delete(clientId);
		if (!stored.stored) {
			// Another user wrote with one of these client ids first (perhaps in another process).
			this.#discardLater(entry, accepted.deletes);
			return { kind: 'refused', reason: stored.reason, violation: true };
		}
		this.#committing.splice(this.#committing.indexOf(entry), 1);
		for (const clientId of accepted.newClients) this.#bindings.set(clientId, accepted.member.userId);
		// Stored: now, and only now, everyone may see it.
		this.#forward(accepted.change, accepted.member);
		this.#deps.afterStore(this, {
			userId: accepted.member.userId,
			removesEntry: accepted.removesEntry,
			facts: accepted.facts
		});
		return { kind: 'saved' };
	}

	#afterFailedCommit(entry: { before: Uint8Array }, error: unknown, deletes: boolean, newClients: number[]): Verdict {
		for (const clientId of newClients) this.#claims.delete(clientId);
		// A broken sequence is the consequence of an earlier failure, which was logged.
		if (!(error instanceof SequenceBrokenError)) {
			this.#deps.log.error('storing an update failed', { kind: this.document.kind, error });
		}
		// The document holds a change nobody else has: back to what storage holds.
		this.#discardLater(entry, deletes);
		return { kind: 'failed' };
	}

	/** Marks the document as holding a change that will never be stored; the oldest unsent state is kept. */
	#markDirty(before: Uint8Array, deletes: boolean) {
		if (this.#dirty) this.#dirty.deletes ||= deletes;
		else this.#dirty = { before: this.#committing[0]?.before ?? before, deletes };
	}

	/**
	 * Marks the document dirty and rebuilds it from storage now (still inside the current queued task,
	 * so no one is served from it meanwhile). When the rebuild fails (storage unreachable), the next
	 * queued task tries again before reading anything.
	 */
	async #discard(before: Uint8Array, deletes: boolean): Promise<void> {
		this.#markDirty(before, deletes);
		try {
			await this.#clean();
		} catch (error) {
			this.#deps.log.error('rebuilding a document from storage failed', { kind: this.document.kind, error });
		}
	}

	/** #discard for a change whose commit did not store it (outside the queue): the rebuild is queued. */
	#discardLater(entry: { before: Uint8Array }, deletes: boolean) {
		// Marked while the entry still counts as committing, so the state kept is from before the oldest.
		this.#markDirty(entry.before, deletes);
		this.#committing.splice(this.#committing.indexOf(entry), 1);
		this.#serially(() => this.#clean()).catch((error) =>
			this.#deps.log.error('rebuilding a document from storage failed', { kind: this.document.kind, error })
		);
	}

	/** Rebuilds a dirty document once nothing is committing; throws when storage cannot be read (it stays dirty). */
	async #clean(): Promise<void> {
		if (!this.#dirty || this.closed) return;
		await this.#drain();
		await this.#rebuild();
	}

	/** #clean for update handling: false (logged) when the document could not be rebuilt. */
	async #cleanOrFail(): Promise<boolean> {
		try {
			await this.#clean();
			return true;
		} catch (error) {
			this.#deps.log.error('rebuilding a document from storage failed', { kind: this.document.kind, error });
			return false;
		}
	}

	/** Replaces the document (and the client bindings) with the stored ones, as when loading a room. */
	async #rebuild(): Promise<void> {
		const dirty = this.#dirty;
		if (!dirty) return;
		const [{ doc, bytes }, bindings] = await Promise.all([
			loadDoc(this.#deps.storage, this.name),
			this.#deps.storage.loadClientBindings(this.name)
		]);
		const old = this.#doc;
		this.#bytes = bytes;
		this.#fullState = null;
		// Storage may hold changes from other processes whose notices have not arrived yet: once they are
		// in the rebuilt document their notices will change nothing, so send them to the connections now.
		// Everything the connections have is stored, so they lack at most what lies beyond `before`, plus
		// deletions; the full delete set is sent only when it may hold one they have not seen.
		const missed = Y.encodeStateAsUpdate(doc, dirty.before);
		const { structs, ds } = Y.decodeUpdate(missed);
		const send = structs.length > 0 || (ds.clients.size > 0 && (dirty.deletes || !deletesNothingNew(ds, old)));
		this.#dirty = null;
		this.#bindings = bindings;
		this.#sequence = new AppendSequence();
		this.#doc = doc;
		this.#watch(doc);
		old.destroy();
		if (send) this.#forward(missed, REMOTE);
	}

	/**
	 * Applies an update another process stored (its row id from a notice). The row is read before the
	 * queue is entered, so that no database round trip holds the room; rows are applied in notice order.
	 */
	receiveStored(id: number): Promise<void> {
		const reading = this.#deps.storage.readUpdate(this.name, id);
		const applied = this.#remoteOrder
			.then(() => reading)
			.then((update) =>
				this.#serially(async () => {
					if (this.closed) return;
					await this.#clean();
					// Gone means compacted into the snapshot already: read everything (applying twice is harmless).
					if (update === null) await this.#catchUp();
					else this.#applyRemote(update);
				})
			);
		this.#remoteOrder = applied.catch(() => {});
		return applied;
	}

	/** Re-reads the stored document and applies whatever this process has not seen (after a lost notice). */
	catchUp(): Promise<void> {
		return this.#serially(async () => {
			await this.#clean();
			await this.#catchUp();
		});
	}

	async #catchUp(): Promise<void> {
		if (this.closed) return;
		const { updates } = await this.#deps.storage.load(this.name);
		if (updates.length > 0) this.#applyRemote(Y.mergeUpdates(updates));
	}

	/** Applies a stored update; the document's update event forwards what is new to every connection. */
	#applyRemote(update: Uint8Array) {
		Y.applyUpdate(this.#doc, update, REMOTE);
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

	/** Stops taking changes and frees the document, after everything queued has run and committed. */
	async close(): Promise<void> {
		await this.#serially(async () => {
			await this.#drain();
			this.closed = true;
		});
		const awarenessDoc = this.awareness.doc;
		this.awareness.destroy();
		awarenessDoc.destroy();
		this.#doc.destroy();
	}
}

/** A document as stored: its snapshot followed by its updates. */
/** The stored document, and how many bytes of updates it was built from. */
async function loadDoc(storage: DocumentStorage, name: string): Promise<{ doc: Y.Doc; bytes: number }> {
	const { updates } = await storage.load(name);
	const doc = new Y.Doc({ gc: true });
	doc.transact(() => {
		for (const update of updates) Y.applyUpdate(doc, update);
	});
	return { doc, bytes: updates.reduce((sum, update) => sum + update.byteLength, 0) };
}

function deletesNothingNew(ds: ReturnType<typeof Y.decodeUpdate>['ds'], doc: Y.Doc): boolean {
	if (ds.clients.size === 0) return true;
	const deleted = Y.createDeleteSetFromStructStore(doc.store);
	return Y.equalDeleteSets(Y.mergeDeleteSets([deleted, ds]), deleted);
}

/** Whether every struct of the update starts where the document's state for its client ends, or later. */
function onlyNewStructs(decoded: ReturnType<typeof Y.decodeUpdate>, doc: Y.Doc): boolean {
	return decoded.structs.every((struct) => struct.id.clock >= Y.getState(doc.store, struct.id.client));
}

function hasPending(doc: Y.Doc): boolean {
	return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/**
 * Checks an update against the document before anything is applied: every struct must be written under a
 * client id that is unbound or bound to this user, and everything it builds on (earlier clocks of its
 * client, the items it is inserted next to or into, the items it deletes) must be known. Yjs would keep
 * an update with missing dependencies pending and integrate it later, when someone else supplies them:
 * that later change would then be attributed to the wrong person, so such updates are refused.
 */
export function checkStructs(
	decoded: ReturnType<typeof Y.decodeUpdate>,
	store: Y.Doc['store'],
	ownerOf: (clientId: number) => string | undefined,
	userId: string
): { problem: 'client-id' | 'incomplete' | null; newClients: number[] } {
	const reach = new Map<number, number>();
	const known = (client: number) => reach.get(client) ?? Y.getState(store, client);
	const newClients = new Set<number>();
	for (const struct of decoded.structs) {
		if (struct instanceof Y.Skip) return { problem: 'incomplete', newClients: [] };
		const { client, clock } = struct.id;
		const owner = ownerOf(client);
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
