/*
 * One live Yjs document in the browser, synced with Hearth's realtime server over y-websocket.
 *
 * Connects to `/realtime/<document name>` on the page's own origin (wss: under https:), authenticated by
 * the session cookie the browser sends with the upgrade — nothing secret in the URL. The document lives
 * in memory only: no IndexedDB, no localStorage, no BroadcastChannel between tabs, so board content never
 * outlives the tab on this device.
 *
 * Saved state follows the server's acknowledgements (./protocol.ts): the server
 * answers each update message this socket sends (sync step 2 and update) in order with `saved <seq>` or
 * `refused <seq> <reason>`. We count update messages as the socket sends them and keep each local change
 * that is not stored yet with the entries it touched (`posts/<id>`, `rounds/<id>/answers/<userId>` …) and
 * the message that carried it; "saved" means the server has stored all of them, and an entry is pending
 * while one of them touches it. Changes made offline stay in the Y.Doc and go out in the sync step 2 on
 * reconnect (y-websocket's own backoff).
 *
 * A refused change stays in the local Y.Doc and would be sent again forever, so on a refusal (and on
 * close codes that mean the same) the document is dropped and a fresh one is synced from the server.
 * Anything reading the document must therefore read `doc` afresh when `version` changes — DocumentView
 * (document-view.svelte.ts) does.
 */
import * as decoding from 'lib0/decoding';
import { SvelteMap } from 'svelte/reactivity';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { getDocumentGroupId, parseDocumentName } from '$lib/board/document-names';
import type { PostRoot } from '$lib/board/posts';
import { PostIndex } from './post-index.svelte';
import {
	CloseCode,
	REALTIME_PATH_PREFIX,
	messageAccess,
	messageRefused,
	messageSaved,
	messageSync,
	syncStep2,
	syncUpdate
} from './protocol';

export type ConnectionState = 'connecting' | 'live' | 'offline' | 'closed';
export type SaveState = 'saved' | 'saving';
/** Why the server ended the connection for good (it will not be retried). */
export type ClosedReason = 'signed-out' | 'no-access' | 'unsigned' | 'too-many-tabs' | 'unreadable' | 'unavailable';
/** The reasons that mean this person may no longer read what the tab holds. */
export type RevokedReason = Extract<ClosedReason, 'signed-out' | 'no-access' | 'unsigned'>;

const CLOSED_REASONS: Record<number, ClosedReason> = {
	[CloseCode.unauthenticated]: 'signed-out',
	[CloseCode.forbidden]: 'no-access',
	[CloseCode.unreadable]: 'unreadable',
	[CloseCode.agreementRequired]: 'unsigned',
	[CloseCode.tooMany]: 'too-many-tabs'
};

function isRevoked(reason: ClosedReason): reason is RevokedReason {
	return reason === 'signed-out' || reason === 'no-access' || reason === 'unsigned';
}

/**
 * Where a tab goes once its access ends: a full page load, so nothing of the board stays in this tab's
 * memory, replacing the history entry so that Back cannot show it again from the browser's cache.
 */
export function leaveRevokedPage(reason: RevokedReason, groupId: string | null): void {
	const target = reason === 'unsigned' && groupId ? `/groups/${groupId}/agreement` : `/closed?reason=${reason}`;
	window.location.replace(target);
}

export type Presence = {
	userId: string;
	name: string;
	role: 'facilitator' | 'member';
	typing: boolean;
};

/**
 * A local change not yet stored: the entries it touched, and the update message that carries it — or,
 * before it is sent, which message will: the next one (y-websocket sends a change at once on a connected
 * socket) or only the next sync step 2 (a change made with no socket, or one a closed socket took with it).
 */
type PendingChange = { paths: Set<string>; seq: number | 'next-update' | 'next-sync' };

/** A Yjs shared type as the document holds it (a root or a nested map). */
type SharedType = Y.Doc['share'] extends Map<string, infer T> ? T : never;

/**
 * Where a transaction changed the document, as `root/key/key…` paths of the map entries it set or deleted
 * (a post created whole is `posts/<id>`; an answer written into a round, `rounds/<id>/answers/<userId>`).
 * Every path of two or more steps is listed with its prefixes of two or more, so an entry is pending when
 * anything inside it is.
 */
function listChangedPaths(doc: Y.Doc, transaction: Y.Transaction): string[] {
	const rootNames = new Map<SharedType, string>();
	for (const [name, type] of doc.share) rootNames.set(type, name);
	const paths = new Set<string>();
	for (const [type, keys] of transaction.changed) {
		const steps: string[] = [];
		let current: SharedType | null = type;
		while (current?._item) {
			steps.unshift(current._item.parentSub ?? '');
			current = current._item.parent as SharedType | null;
		}
		const root = current ? rootNames.get(current) : undefined;
		if (root === undefined) continue;
		for (const key of keys.size > 0 ? keys : [null]) {
			const full = [root, ...steps, ...(key === null ? [] : [key])];
			for (let depth = 2; depth <= full.length; depth++) paths.add(full.slice(0, depth).join('/'));
		}
	}
	return [...paths];
}

/** The sync step of an update message (step 2 or update), or null for any other message. */
function readUpdateStep(data: unknown): typeof syncStep2 | typeof syncUpdate | null {
	if (!(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) return null;
	try {
		const decoder = decoding.createDecoder(data instanceof Uint8Array ? data : new Uint8Array(data));
		if (decoding.readVarUint(decoder) !== messageSync) return null;
		const step = decoding.readVarUint(decoder);
		return step === syncStep2 || step === syncUpdate ? step : null;
	} catch {
		return null;
	}
}

export function realtimeUrl(location: Location): string {
	// y-websocket adds `/<document name>` itself.
	return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${REALTIME_PATH_PREFIX.slice(0, -1)}`;
}

export class RealtimeDocument {
	readonly name: string;

	#doc = $state.raw(new Y.Doc());
	#version = $state(0);
	#presenceVersion = $state(0);
	#connection = $state<ConnectionState>('connecting');
	#save = $state<SaveState>('saved');
	#canWrite = $state<boolean | null>(null);
	#refusal = $state<{ reason: string; at: number } | null>(null);
	#closed = $state<ClosedReason | null>(null);

	#provider: WebsocketProvider | null = null;
	#everLive = false;
	/** Local changes the server has not acknowledged as stored, oldest first. */
	#pending: PendingChange[] = [];
	/** For each entry path, how many pending changes touched it. */
	readonly #pendingPaths = new SvelteMap<string, number>();
	#typing = false;
	readonly #indexes = new Map<PostRoot, PostIndex>();
	/** Per root of the document, a count of the changes that touched it. */
	#rootVersions = $state<Record<string, number>>({});
	#typingTimer: ReturnType<typeof setTimeout> | undefined;

	readonly #serverUrl: string | null;
	/** Outside a browser (tests), a WebSocket class that can send the session cookie. */
	readonly #socketClass: typeof WebSocket | null;
	readonly #onRevoked: (reason: RevokedReason) => void;
	/**
	 * Where the device says the network went or came back ('offline', 'online' events) and the tab is about
	 * to close ('beforeunload'): the window.
	 */
	readonly #network: EventTarget | null;

	/**
	 * `serverUrl`, `socketClass` and `network` are for tests; in the browser the page's own origin,
	 * WebSocket and window are used. `onRevoked` runs after the document has been forgotten because access
	 * ended; by default the tab leaves the page.
	 */
	constructor(
		name: string,
		options: {
			serverUrl?: string;
			socketClass?: typeof WebSocket;
			network?: EventTarget;
			onRevoked?: (reason: RevokedReason) => void;
		} = {}
	) {
		this.name = name;
		this.#serverUrl = options.serverUrl ?? null;
		this.#socketClass = options.socketClass ?? null;
		this.#network = options.network ?? (typeof window === 'undefined' ? null : window);
		this.#onRevoked =
			options.onRevoked ??
			((reason) => {
				const parsed = parseDocumentName(name);
				leaveRevokedPage(reason, parsed && getDocumentGroupId(parsed));
			});
	}

	/** The document; replaced (and `version` bumped) when a refused change forces a fresh sync. */
	get doc(): Y.Doc {
		return this.#doc;
	}
	/** Changes whenever the document's content changes, locally or from others. */
	get version(): number {
		return this.#version;
	}

	/**
	 * Changes when something inside one root of the document (`pins`, `rounds` …) changes, or the
	 * document is replaced: for views that read one root and need not follow the others.
	 */
	versionOf(root: string): number {
		void this.#doc;
		return this.#rootVersions[root] ?? 0;
	}

	/**
	 * The posts of `root` as threads, updated from what each change touched (post-index.svelte.ts). One
	 * index per root, shared by everyone reading it; create it while a component initialises.
	 */
	posts(root: PostRoot = 'posts'): PostIndex {
		let index = this.#indexes.get(root);
		if (!index) {
			index = new PostIndex(root);
			index.attach(this.#doc);
			this.#indexes.set(root, index);
		}
		return index;
	}
	get connection(): ConnectionState {
		return this.#connection;
	}
	get save(): SaveState {
		return this.#save;
	}
	/**
	 * Whether a local change to the entry at `path` (e.g. `['posts', postId]`) is not stored yet: the
	 * same acknowledgements as `save`, entry by entry.
	 */
	isPending(path: string[]): boolean {
		return this.#pendingPaths.has(path.join('/'));
	}
	/** What the server says this connection may do; null until it has said. */
	get canWrite(): boolean | null {
		return this.#canWrite;
	}
	/** The last change the server refused, with its reason (for the person: "could not be saved"). */
	get refusal(): { reason: string; at: number } | null {
		return this.#refusal;
	}
	get closed(): ClosedReason | null {
		return this.#closed;
	}

	/**
	 * Who else is here now, as the server named them: one entry per person (several tabs count once).
	 * This tab's own state is left out — the server stamps identity on what it forwards, not on what the
	 * tab holds for itself — so the person's other tabs may appear under their own name.
	 */
	get presence(): Presence[] {
		void this.#presenceVersion;
		const awareness = this.#provider?.awareness;
		if (!awareness) return [];
		const people = new Map<string, Presence>();
		for (const [clientId, state] of awareness.getStates()) {
			if (clientId === this.#doc.clientID) continue;
			const user = state?.user as { id?: unknown; name?: unknown; role?: unknown } | undefined;
			if (!user || typeof user.id !== 'string' || typeof user.name !== 'string') continue;
			const existing = people.get(user.id);
			people.set(user.id, {
				userId: user.id,
				name: user.name,
				role: user.role === 'facilitator' ? 'facilitator' : 'member',
				typing: (existing?.typing ?? false) || state.typing === true
			});
		}
		return [...people.values()];
	}

	/** Opens the connection (browser only; call from an effect or onMount). */
	start(): void {
		if (this.#provider) return;
		this.#closed = null;
		this.#network?.addEventListener('offline', this.#wentOffline);
		this.#network?.addEventListener('online', this.#cameBack);
		this.#network?.addEventListener('beforeunload', this.#warnUnsaved);
		this.#connect();
	}

	/** Closes the connection and forgets the document. */
	stop(): void {
		this.#network?.removeEventListener('offline', this.#wentOffline);
		this.#network?.removeEventListener('online', this.#cameBack);
		this.#network?.removeEventListener('beforeunload', this.#warnUnsaved);
		clearTimeout(this.#typingTimer);
		this.#provider?.destroy();
		this.#provider = null;
		for (const index of this.#indexes.values()) index.detach();
		this.#doc.destroy();
	}

	/**
	 * The device says the network is gone: a socket can look open for many seconds after that, so say
	 * "Offline" now and close it; words written meanwhile stay in memory and go out when it is back.
	 */
	readonly #wentOffline = () => {
		if (!this.#provider || this.#connection === 'closed') return;
		this.#provider.disconnect();
		this.#connection = 'offline';
	};

	/** Unsaved words live only in this tab's memory (never in browser storage): the browser asks before closing. */
	readonly #warnUnsaved = (event: Event) => {
		if (this.#save === 'saving') event.preventDefault();
	};

	readonly #cameBack = () => {
		if (this.#provider && this.#connection !== 'closed' && !this.#provider.wsconnected) this.#provider.connect();
	};

	/** Tells the others this person is writing (never what), for a few seconds. */
	setTyping(typing: boolean): void {
		clearTimeout(this.#typingTimer);
		if (typing) this.#typingTimer = setTimeout(() => this.setTyping(false), 5000);
		if (this.#typing === typing) return;
		this.#typing = typing;
		this.#provider?.awareness.setLocalStateField('typing', typing);
	}

	dismissRefusal(): void {
		this.#refusal = null;
	}

	#connect(): void {
		const doc = this.#doc;
		for (const index of this.#indexes.values()) index.attach(doc);
		doc.on('afterTransaction', (transaction: Y.Transaction) => {
			if (doc !== this.#doc) return;
			for (const [name, type] of doc.share) {
				if (transaction.changed.has(type) || transaction.changedParentTypes.has(type)) {
					this.#rootVersions[name] = (this.#rootVersions[name] ?? 0) + 1;
				}
			}
		});
		// Registered before the provider's own handler, so a change is marked unsent before it is sent.
		doc.on('update', (_update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
			if (doc !== this.#doc) return;
			this.#version++;
			if (origin !== this.#provider) this.#addPending(listChangedPaths(doc, transaction));
		});

		const counting = this.#countingSocketClass();
		const provider = new WebsocketProvider(this.#serverUrl ?? realtimeUrl(window.location), this.name, doc, {
			WebSocketPolyfill: counting,
			disableBc: true,
			maxBackoffTime: 5000
		});
		this.#provider = provider;
		provider.messageHandlers[messageSaved] = (_encoder, decoder) => this.#onSaved(decoding.readVarUint(decoder));
		provider.messageHandlers[messageRefused] = (_encoder, decoder) => {
			decoding.readVarUint(decoder);
			this.#onRefused(decoding.readVarString(decoder));
		};
		provider.messageHandlers[messageAccess] = (_encoder, decoder) => {
			this.#canWrite = decoding.readVarUint(decoder) === 1;
		};
		provider.awareness.setLocalState({ typing: false });
		provider.awareness.on('change', () => this.#presenceVersion++);
		provider.on('status', ({ status }) => this.#onStatus(status));
		provider.on('sync', (synced: boolean) => {
			if (synced && provider.wsconnected) {
				this.#everLive = true;
				this.#connection = 'live';
			}
		});
		provider.on('closed', ({ code }) => this.#onClosed(code));
		// A socket that closes before it ever connected emits no status change: still, we are offline.
		provider.on('connection-close', () => {
			if (this.#provider === provider && this.#connection !== 'closed') this.#connection = 'offline';
		});
	}

	#countingSocketClass(): typeof WebSocket {
		const onSent = (seq: number, step: number) => this.#onUpdateSent(seq, step);
		return class extends (this.#socketClass ?? WebSocket) {
			sentUpdates = 0;
			send(data: Parameters<WebSocket['send']>[0]) {
				super.send(data);
				const step = readUpdateStep(data);
				if (step !== null) {
					this.sentUpdates++;
					onSent(this.sentUpdates, step);
				}
			}
		};
	}

	/** A local change: kept (with what it touched) until the server has stored it. */
	#addPending(paths: string[]): void {
		const seq = this.#provider?.wsconnected ? 'next-update' : 'next-sync';
		let change = this.#pending.at(-1);
		if (!change || change.seq !== seq) {
			change = { paths: new Set(), seq };
			this.#pending.push(change);
		}
		for (const path of paths) {
			if (change.paths.has(path)) continue;
			change.paths.add(path);
			this.#pendingPaths.set(path, (this.#pendingPaths.get(path) ?? 0) + 1);
		}
		this.#save = 'saving';
	}

	/**
	 * An update message went out. An update carries the changes made since the last one; a sync step 2
	 * carries everything the server lacks, so also what was written with no socket.
	 */
	#onUpdateSent(seq: number, step: number): void {
		for (const change of this.#pending) {
			if (change.seq === 'next-update' || (change.seq === 'next-sync' && step === syncStep2)) change.seq = seq;
		}
	}

	#onSaved(seq: number): void {
		const stored = this.#pending.filter((change) => typeof change.seq === 'number' && change.seq <= seq);
		if (stored.length === 0) return;
		this.#pending = this.#pending.filter((change) => !stored.includes(change));
		for (const path of stored.flatMap((change) => [...change.paths])) {
			const count = (this.#pendingPaths.get(path) ?? 1) - 1;
			if (count > 0) this.#pendingPaths.set(path, count);
			else this.#pendingPaths.delete(path);
		}
		if (this.#pending.length === 0) this.#save = 'saved';
	}

	#onRefused(reason: string): void {
		this.#refusal = { reason, at: Date.now() };
		this.#resync();
	}

	#onStatus(status: 'connected' | 'disconnected' | 'connecting'): void {
		if (status === 'connected') {
			// A new socket numbers its messages from 1; whatever the old one had not had acknowledged
			// goes again in this socket's sync step 2.
			for (const change of this.#pending) change.seq = 'next-sync';
			return;
		}
		// 'connecting' is each retry: after the first attempt, the honest word for it is still "offline".
		if (status === 'disconnected') this.#connection = 'offline';
	}

	#onClosed(code: number): void {
		// 4408 (repeated refusals) and 4413 (too big): the local document holds something the server will
		// never take. Start again from the server's copy.
		if (code === CloseCode.policy || code === CloseCode.tooBig) {
			this.#refusal = { reason: code === CloseCode.tooBig ? 'too-big' : 'refused', at: Date.now() };
			this.#resync();
			return;
		}
		this.#connection = 'closed';
		const reason = CLOSED_REASONS[code] ?? 'unavailable';
		this.#closed = reason;
		if (isRevoked(reason)) {
			this.#forget();
			this.#onRevoked(reason);
		}
	}

	/**
	 * Access ended: the content goes from memory and from the screen at once (views re-read an empty
	 * document), and nothing written from now on is kept or sent.
	 */
	#forget(): void {
		this.#dropDocument();
		this.#canWrite = false;
		for (const index of this.#indexes.values()) index.attach(this.#doc);
	}

	/** Drops the local document (and any refused change in it) and syncs a fresh one from the server. */
	#resync(): void {
		this.#dropDocument();
		this.#connection = this.#everLive ? 'offline' : 'connecting';
		this.#connect();
	}

	/** Closes the socket and puts an empty document in place of the one it synced. */
	#dropDocument(): void {
		const old = this.#provider;
		this.#provider = null;
		// Destroying inside the provider's own message handler is safe: y-websocket ignores a socket's
		// messages once it is no longer the provider's.
		queueMicrotask(() => old?.destroy());
		const oldDoc = this.#doc;
		this.#doc = new Y.Doc();
		queueMicrotask(() => oldDoc.destroy());
		this.#pending = [];
		this.#pendingPaths.clear();
		this.#save = 'saved';
		this.#version++;
		this.#presenceVersion++;
	}
}
