/*
 * The realtime server: WebSocket upgrades on /realtime/<document>, the rooms of this process, fan-out
 * between processes, and revocation. The wire protocol is in protocol.ts, storage in storage.ts, the
 * per-document checks in room.ts.
 *
 * Admission, in order, all before the handshake's first document byte: path → Origin → session cookie
 * → may this user read this document → connections per user. A refusal still completes the WebSocket
 * handshake so that the browser sees the close code (a failed HTTP upgrade shows only "1006").
 *
 * Revocation: access-events.ts announces sessions ended and memberships or groups changed, in this
 * process and (through NOTIFY) in every other. The server re-reads the database for the affected
 * connections and closes (4401/4403) or downgrades them to read-only. Session expiry is checked every
 * second against the expiry each connection last read.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseDocumentName, type ParsedDocumentName } from '$lib/board/document-names';
import { onAccessChange, type AccessChange } from '../access-events';
import { getSessionCookieName } from '../auth/session-cookie';
import type { DatabaseConnection } from '../db/client';
import { session as sessionTable } from '../db/schema/auth';
import { getDocumentAccess, type DocumentAccess, type DocumentGrant, type GetGroupAccess } from './access';
import { Connection, type ConnectionLimits } from './connection';
import { ConnectionSlots } from './connection-slots';
import { UnreadableDataError, type DataKeyring } from './encryption';
import { REALTIME_CHANNEL, formatAwarenessNotice, parseFanOutNotice } from './fan-out';
import { createNotificationChannel, type NotificationChannel } from './notifications';
import { CloseCode, REALTIME_PATH_PREFIX } from './protocol';
import { Room, type ChangePolicy, type RealtimeLog, type RoomLimits } from './room';
import { DocumentStorage } from './storage';
import { log } from '../log';

export interface RealtimeLimits extends ConnectionLimits, RoomLimits {
	maxConnectionsPerUser: number;
	/** How often each socket is pinged; one unanswered ping ends it. */
	heartbeatMs: number;
	/** How long a room with nobody in it stays loaded. */
	idleUnloadMs: number;
	/** Accepted updates (in this process) after which a document is compacted. */
	compactEvery: number;
}

const MiB = 1024 * 1024;

export const defaultLimits: RealtimeLimits = {
	maxMessageBytes: 1024 * 1024,
	messagesPerSecond: 60,
	messageBurst: 240,
	maxViolations: 3,
	maxBufferedBytes: 8 * 1024 * 1024,
	maxAwarenessStateBytes: 4096,
	maxAwarenessClientsPerConnection: 4,
	maxSyncRequestsPerMinute: 6,
	maxDocumentBytes: { group: 64 * MiB, staff: 16 * MiB, care: 16 * MiB, journal: 16 * MiB },
	maxConnectionsPerUser: 24,
	heartbeatMs: 15_000,
	idleUnloadMs: 30_000,
	compactEvery: 500
};

/** What the server needs to know about a session (the shape of auth/sessions.ts validateSessionToken). */
export type ValidateSessionToken = (token: string) => Promise<
	| {
			session: { id: string; userId: string; expiresAt: Date; createdAt: Date };
			user: { id: string; displayName: string };
	  }
	| { session: null; user: null }
>;

export interface RealtimeServerOptions {
	/** A connection of its own is best (LISTEN holds one); the app's works. */
	database: DatabaseConnection;
	keyring: DataKeyring;
	policy: ChangePolicy;
	getGroupAccess: GetGroupAccess;
	validateSessionToken: ValidateSessionToken;
	/** When the session can last no longer, however active (auth/sessions.ts getSessionHardLimit). */
	getSessionHardLimit: (session: { createdAt: Date }) => Date;
	/** The app's origin; when unset (vite dev) the Origin must match the request's Host. */
	origin?: string;
	limits?: Partial<RealtimeLimits>;
	log?: RealtimeLog;
	/**
	 * Runs when a socket has been admitted, before any document byte is sent to it; if it throws, the
	 * socket closes (4500) having received nothing. The audit of confidential views lives here.
	 */
	onConnect?: (userId: string, document: ParsedDocumentName) => Promise<void>;
	/**
	 * Runs when a signed-in person's socket is refused a document (not allowed, agreement unsigned, too
	 * many connections); the app audits it. Failures are logged, never thrown at the socket.
	 */
	onRefuse?: (userId: string, document: string, code: CloseCode) => Promise<void>;
	/** Defaults to access-events.ts; tests may pass their own. */
	subscribeToAccessChanges?: (listener: (change: AccessChange) => Promise<void>) => () => void;
}

const realtimeLog = log.child({ area: 'realtime' });
const serverLog: RealtimeLog = {
	warn: (message, detail) => realtimeLog.warn(detail ?? {}, message),
	error: (message, detail) => realtimeLog.error(detail ?? {}, message)
};

type Admission =
	| { ok: true; slotId: string; document: string; parsed: ParsedDocumentName; identity: Identity; grant: DocumentGrant }
	| { ok: false; code: CloseCode; reason: string };

interface Identity {
	userId: string;
	name: string;
	sessionId: string;
	sessionToken: string;
	sessionExpiresAt: number;
	sessionHardLimit: number;
}

export class RealtimeServer {
	readonly instanceId = randomBytes(8).toString('hex');
	readonly storage: DocumentStorage;
	readonly limits: RealtimeLimits;

	readonly #options: RealtimeServerOptions;
	readonly #log: RealtimeLog;
	readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 0, perMessageDeflate: false });
	readonly #notifications: NotificationChannel;
	readonly #rooms = new Map<string, Promise<Room>>();
	readonly #unloading = new Map<string, Promise<void>>();
	readonly #unloadTimers = new Map<string, ReturnType<typeof setTimeout>>();
	readonly #compacting = new Set<string>();
	readonly #connectionsByUser = new Map<string, Set<Connection>>();
	readonly #slots: ConnectionSlots;
	/** Counts access announcements, so a connection admitted while one arrived is checked again. */
	#accessEpoch = 0;
	#timers: ReturnType<typeof setInterval>[] = [];
	#stopListening: (() => Promise<void>) | undefined;
	#stopAccessEvents: (() => void) | undefined;
	#listeningOnce = false;
	#closing = false;

	constructor(options: RealtimeServerOptions) {
		this.#options = options;
		this.#log = options.log ?? serverLog;
		this.limits = { ...defaultLimits, ...options.limits };
		// ws enforces a hard cap itself (closing with 1009); below it the connection answers 4413.
		this.#wss.options.maxPayload = this.limits.maxMessageBytes * 2;
		this.storage = new DocumentStorage(options.database.db, options.keyring, this.instanceId);
		this.#slots = new ConnectionSlots(options.database.db, this.instanceId);
		this.#notifications = createNotificationChannel(options.database.driver);
	}

	/** Starts listening to the other processes and to access changes; call before serving upgrades. */
	async start(): Promise<void> {
		this.#stopListening = await this.#notifications.listen(
			REALTIME_CHANNEL,
			(payload) => this.#receiveNotice(payload),
			() => this.#onListening()
		);
		const subscribe = this.#options.subscribeToAccessChanges ?? onAccessChange;
		this.#stopAccessEvents = subscribe((change) => this.#onAccessChange(change));
		this.#timers.push(
			setInterval(() => this.#heartbeat(), this.limits.heartbeatMs),
			setInterval(() => this.#checkSessionExpiry(), 1000),
			setInterval(() => {
				this.#slots.renew().catch((error) => this.#log.error('renewing connection slots failed', { error }));
			}, 20_000)
		);
		for (const timer of this.#timers) timer.unref?.();
	}

	/**
	 * Handles an HTTP upgrade if its path is /realtime/…; returns false (touching nothing) otherwise, so
	 * other upgrade handlers (Vite's HMR in dev) keep working. Never throws.
	 */
	handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
		const path = (request.url ?? '').split('?')[0];
		if (!path.startsWith(REALTIME_PATH_PREFIX)) return false;
		socket.on('error', () => socket.destroy());
		const epoch = this.#accessEpoch;
		this.#admit(request, path)
			.catch((error): Admission => {
				this.#log.error('admitting a realtime connection failed', { error });
				return { ok: false, code: CloseCode.serverError, reason: 'server error' };
			})
			.then((admission) => {
				// The connection slot an admission holds lives as long as the socket, whichever way it goes.
				let slot = admission.ok ? admission.slotId : null;
				const release = () => {
					if (slot) this.#slots.release(slot).catch((error) => this.#log.error('giving back a connection slot failed', { error }));
					slot = null;
				};
				socket.once('close', release);
				if (socket.destroyed) return release();
				this.#wss.handleUpgrade(request, socket, head, (ws) => {
					if (!admission.ok || this.#closing) {
						const refusal = admission.ok
							? { code: CloseCode.goingAway, reason: 'shutting down' }
							: admission;
						ws.close(refusal.code, refusal.reason);
						return;
					}
					this.#open(ws, admission, epoch).catch((error) => {
						this.#log.error('opening a realtime connection failed', { error });
						if (error instanceof UnreadableDataError) ws.close(CloseCode.unreadable, 'document unreadable');
						else ws.close(CloseCode.serverError, 'server error');
					});
				});
			})
			.catch((error) => {
				this.#log.error('upgrading a realtime connection failed', { error });
				socket.destroy();
			});
		return true;
	}

	async #admit(request: IncomingMessage, path: string): Promise<Admission> {
		let document: string;
		try {
			document = decodeURIComponent(path.slice(REALTIME_PATH_PREFIX.length));
		} catch {
			return { ok: false, code: CloseCode.notFound, reason: 'no such document' };
		}
		const parsed = parseDocumentName(document);
		if (!parsed) return { ok: false, code: CloseCode.notFound, reason: 'no such document' };

		const origin = this.#checkOrigin(request);
		if (!origin) return { ok: false, code: CloseCode.forbidden, reason: 'origin not allowed' };

		const token = readCookie(request.headers.cookie, getSessionCookieName(origin));
		if (!token) return { ok: false, code: CloseCode.unauthenticated, reason: 'sign in first' };
		const { session, user } = await this.#options.validateSessionToken(token);
		if (!session) return { ok: false, code: CloseCode.unauthenticated, reason: 'sign in first' };

		const access = await getDocumentAccess(user.id, parsed, this.#options.getGroupAccess);
		if (!access.ok) return this.#refuse(user.id, document, refuseAccess(access));
		const { grant } = access;

		// Counted from admission on, in every process (connection-slots.ts): a burst of upgrades to a
		// document that is still loading, or spread over several processes, cannot get past the limit.
		const slotId = await this.#slots.take(user.id, this.limits.maxConnectionsPerUser);
		if (!slotId) {
			return this.#refuse(user.id, document, { ok: false as const, code: CloseCode.tooMany, reason: 'too many open connections' });
		}
		return {
			ok: true,
			slotId,
			document,
			parsed,
			grant,
			identity: {
				userId: user.id,
				name: user.displayName,
				sessionId: session.id,
				sessionToken: token,
				sessionExpiresAt: session.expiresAt.getTime(),
				sessionHardLimit: this.#options.getSessionHardLimit(session).getTime()
			}
		};
	}

	#refuse<T extends { code: CloseCode }>(userId: string, document: string, refusal: T): T {
		this.#options.onRefuse?.(userId, document, refusal.code).catch((error) => {
			this.#log.error('recording a refused connection failed', { error });
		});
		return refusal;
	}

	/** The origin the request came from when it is the app's own, else null. */
	#checkOrigin(request: IncomingMessage): URL | null {
		const header = request.headers.origin;
		if (!header) return null;
		let origin: URL;
		try {
			origin = new URL(header);
		} catch {
			return null;
		}
		if (this.#options.origin) return origin.origin === new URL(this.#options.origin).origin ? origin : null;
		return request.headers.host && origin.host === request.headers.host ? origin : null;
	}

	async #open(ws: WebSocket, admission: Extract<Admission, { ok: true }>, epoch: number) {
		ws.on('error', () => {});
		// The client speaks as soon as the handshake completes; ws drops messages nobody listens to, so
		// hold them while the document loads.
		const early: [unknown, boolean][] = [];
		const hold = (data: unknown, isBinary: boolean) => {
			if (early.length < this.limits.messageBurst) early.push([data, isBinary]);
			else ws.close(CloseCode.tooMany, 'too many messages');
		};
		ws.on('message', hold);
		await this.#options.onConnect?.(admission.identity.userId, admission.parsed);
		const room = await this.#getRoom(admission.document, admission.parsed);
		ws.off('message', hold);
		if (ws.readyState !== ws.OPEN) {
			this.#scheduleUnloadIfEmpty(room);
			return;
		}
		const connection = new Connection({
			ws,
			room,
			identity: admission.identity,
			grant: admission.grant,
			limits: this.limits,
			log: this.#log,
			onActivity: (active) => this.#touchSession(active)
		});
		this.#cancelUnload(room.name);
		room.join(connection);
		let byUser = this.#connectionsByUser.get(connection.userId);
		if (!byUser) this.#connectionsByUser.set(connection.userId, (byUser = new Set()));
		byUser.add(connection);
		ws.on('close', () => this.#onClose(connection));
		connection.start(early);
		// An announcement arrived while this connection was being admitted: it may already be out of date.
		if (epoch !== this.#accessEpoch) await this.#recheck(connection);
	}

	#onClose(connection: Connection) {
		connection.closed = true;
		const byUser = this.#connectionsByUser.get(connection.userId);
		byUser?.delete(connection);
		if (byUser?.size === 0) this.#connectionsByUser.delete(connection.userId);
		connection.room.leave(connection);
		this.#scheduleUnloadIfEmpty(connection.room);
	}

	async #getRoom(name: string, parsed: ParsedDocumentName): Promise<Room> {
		const unloading = this.#unloading.get(name);
		if (unloading) await unloading;
		let room = this.#rooms.get(name);
		if (!room) {
			room = Room.load(name, parsed, {
				storage: this.storage,
				policy: this.#options.policy,
				limits: this.limits,
				relayAwareness: (document, update) => this.#relayAwareness(document, update),
				log: this.#log
			});
			this.#rooms.set(name, room);
			room.catch(() => this.#rooms.delete(name));
		}
		return room;
	}

	#cancelUnload(name: string) {
		clearTimeout(this.#unloadTimers.get(name));
		this.#unloadTimers.delete(name);
	}

	#scheduleUnloadIfEmpty(room: Room) {
		if (room.members.size > 0 || this.#closing) return;
		this.#cancelUnload(room.name);
		const timer = setTimeout(() => {
			this.#unloadTimers.delete(room.name);
			if (room.members.size === 0) void this.#unload(room);
		}, this.limits.idleUnloadMs);
		timer.unref?.();
		this.#unloadTimers.set(room.name, timer);
	}

	/** Compacts (if this process wrote to it) and frees an idle document; the next visitor reloads it. */
	#unload(room: Room): Promise<void> {
		if (this.#rooms.get(room.name) === undefined) return Promise.resolve();
		this.#rooms.delete(room.name);
		const done = (async () => {
			await room.settle();
			if (room.updatesSinceCompaction > 0) await this.#compact(room.name);
			await room.close();
		})()
			.catch((error) => this.#log.error('unloading a document failed', { kind: room.document.kind, error }))
			.finally(() => this.#unloading.delete(room.name));
		this.#unloading.set(room.name, done);
		return done;
	}

	async #compact(name: string) {
		if (this.#compacting.has(name)) return;
		this.#compacting.add(name);
		try {
			await this.storage.compact(name);
		} finally {
			this.#compacting.delete(name);
		}
	}

	/**
	 * Folds a document's stored updates into its snapshot now, so content deleted from it is gone from
	 * storage too (redaction, account deletion). Works whether or not the document is loaded.
	 */
	async compactDocument(name: string): Promise<void> {
		const room = await this.#rooms.get(name)?.catch(() => undefined);
		if (room) await room.settle();
		await this.storage.compact(name);
		if (room) room.updatesSinceCompaction = 0;
	}

	#maybeCompact(room: Room) {
		if (room.updatesSinceCompaction < this.limits.compactEvery) return;
		room.updatesSinceCompaction = 0;
		this.#compact(room.name).catch((error) =>
			this.#log.error('compacting a document failed', { kind: room.document.kind, error })
		);
	}

	#relayAwareness(document: string, update: Uint8Array) {
		const payload = formatAwarenessNotice(this.instanceId, document, update);
		if (!payload) return;
		this.#notifications.notify(REALTIME_CHANNEL, payload).catch((error) => {
			this.#log.warn('relaying presence failed', { error });
		});
	}

	#receiveNotice(payload: string) {
		const notice = parseFanOutNotice(payload);
		if (!notice || notice.instance === this.instanceId) return;
		const room = this.#rooms.get(notice.document);
		if (!room) return;
		room
			.then((loaded) => {
				if (notice.kind === 'stored') return loaded.receiveStored(notice.id);
				loaded.receiveRemoteAwareness(notice.update);
			})
			.catch((error) => this.#log.error('applying a change from another process failed', { error }));
	}

	/** After the listening connection is (re)established, notices may have been missed: catch up. */
	#onListening() {
		if (!this.#listeningOnce) {
			this.#listeningOnce = true;
			return;
		}
		for (const room of this.#rooms.values()) {
			room
				.then((loaded) => loaded.catchUp())
				.catch((error) => this.#log.error('catching up after reconnecting failed', { error }));
		}
	}

	async #onAccessChange(change: AccessChange): Promise<void> {
		this.#accessEpoch++;
		const affected: Connection[] = [];
		if (change.kind === 'sessions-ended') {
			for (const connection of this.#connectionsByUser.get(change.userId) ?? []) {
				if (!change.sessionIds || change.sessionIds.includes(connection.sessionId)) affected.push(connection);
			}
		} else {
			for (const connections of this.#connectionsByUser.values()) {
				for (const connection of connections) {
					const groupId = 'groupId' in connection.room.document ? connection.room.document.groupId : null;
					if (groupId === change.groupId) affected.push(connection);
				}
			}
		}
		await Promise.all(affected.map((connection) => this.#recheck(connection)));
	}

	/** Re-reads the session and the grant and closes or downgrades the connection to match. */
	async #recheck(connection: Connection): Promise<void> {
		try {
			if (!(await this.#refreshSession(connection))) return;
			const access = await getDocumentAccess(
				connection.userId,
				connection.room.document,
				this.#options.getGroupAccess
			);
			if (connection.closed) return;
			if (!access.ok) {
				const { code, reason } = refuseAccess(access);
				connection.close(code, reason);
			} else connection.setGrant(access.grant);
		} catch (error) {
			this.#log.error('re-checking a connection failed', { error });
		}
	}

	/** Reads the session without sliding it; closes the connection (and returns false) when it has ended. */
	async #refreshSession(connection: Connection): Promise<boolean> {
		const [row] = await this.#options.database.db
			.select({ expiresAt: sessionTable.expiresAt, createdAt: sessionTable.createdAt })
			.from(sessionTable)
			.where(eq(sessionTable.id, connection.sessionId));
		const now = Date.now();
		const hardLimit = row ? this.#options.getSessionHardLimit(row).getTime() : 0;
		if (!row || row.expiresAt.getTime() <= now || hardLimit <= now) {
			connection.close(CloseCode.unauthenticated, 'session ended');
			return false;
		}
		connection.sessionExpiresAt = row.expiresAt.getTime();
		connection.sessionHardLimit = hardLimit;
		return true;
	}

	#checkSessionExpiry() {
		const now = Date.now();
		for (const connections of this.#connectionsByUser.values()) {
			for (const connection of connections) {
				if (connection.sessionExpiresAt > now && connection.sessionHardLimit > now) continue;
				// Due by what we last read; the person may have been active on a page since, so look again.
				this.#refreshSession(connection).catch((error) =>
					this.#log.error('checking a session failed', { error })
				);
			}
		}
	}

	/** Writing is activity: slide the session (at most once a minute), as a page request would. */
	#touchSession(connection: Connection) {
		this.#maybeCompact(connection.room);
		const now = Date.now();
		if (now - connection.lastSessionTouch < 60_000) return;
		connection.lastSessionTouch = now;
		this.#options
			.validateSessionToken(connection.sessionToken)
			.then(({ session }) => {
				if (!session) connection.close(CloseCode.unauthenticated, 'session ended');
				else connection.sessionExpiresAt = session.expiresAt.getTime();
			})
			.catch((error) => this.#log.error('sliding a session failed', { error }));
	}

	#heartbeat() {
		for (const connections of this.#connectionsByUser.values()) {
			for (const connection of connections) connection.ping();
		}
	}

	/** Open connections, for tests and the benchmark. */
	get connectionCount(): number {
		let count = 0;
		for (const connections of this.#connectionsByUser.values()) count += connections.size;
		return count;
	}

	/** Documents in memory, counting those still being compacted on their way out. */
	get loadedDocumentCount(): number {
		return this.#rooms.size + this.#unloading.size;
	}

	/** Closes every socket (1001, clients reconnect elsewhere), finishes queued work, unloads documents. */
	async close(): Promise<void> {
		if (this.#closing) return;
		this.#closing = true;
		for (const timer of this.#timers) clearInterval(timer);
		for (const timer of this.#unloadTimers.values()) clearTimeout(timer);
		this.#unloadTimers.clear();
		this.#stopAccessEvents?.();
		for (const connections of this.#connectionsByUser.values()) {
			for (const connection of connections) connection.close(CloseCode.goingAway, 'server shutting down');
		}
		const rooms = await Promise.all([...this.#rooms.values()].map((room) => room.catch(() => null)));
		await Promise.all(rooms.map((room) => (room ? this.#unload(room) : undefined)));
		await Promise.all(this.#unloading.values());
		await this.#stopListening?.().catch(() => {});
		await this.#slots.releaseAll().catch((error) => this.#log.error('giving back connection slots failed', { error }));
		this.#wss.close();
	}
}

function refuseAccess(access: Extract<DocumentAccess, { ok: false }>): { ok: false; code: CloseCode; reason: string } {
	return access.why === 'unsigned'
		? { ok: false, code: CloseCode.agreementRequired, reason: 'sign the agreement' }
		: { ok: false, code: CloseCode.forbidden, reason: 'not allowed' };
}

function readCookie(header: string | undefined, name: string): string | undefined {
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const index = part.indexOf('=');
		if (index === -1) continue;
		if (part.slice(0, index).trim() === name) {
			const value = part.slice(index + 1).trim();
			try {
				return decodeURIComponent(value);
			} catch {
				return undefined;
			}
		}
	}
	return undefined;
}
