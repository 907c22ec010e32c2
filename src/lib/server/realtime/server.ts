/*
 * The realtime server of one process: WebSocket upgrades on /realtime/<document>, put together from
 * parts that each do one job:
 *
 *   admission.ts         may this upgrade become a connection (path, Origin, session, access, slots)
 *   connection.ts        one socket: reading, limits, answering each update
 *   rooms.ts / room.ts   the loaded documents; one document and its connections, judging updates
 *   storage.ts           where documents live (PostgreSQL, sealed by encryption.ts)
 *   compaction.ts        folding stored updates into snapshots (and deleted words out of storage)
 *   fan-out.ts           updates and presence between processes
 *   open-connections.ts  revocation, session expiry and heartbeat for the open sockets
 *   options.ts           limits, and the hooks through which the app decides (index.ts has the app's)
 *
 * The wire protocol is in protocol.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { onAccessChange } from '../access-events';
import { log } from '../log';
import { admit, type Admission, type Admitted } from './admission';
import { Compaction } from './compaction';
import { Connection } from './connection';
import { ConnectionSlots } from './connection-slots';
import { UnreadableDataError } from './encryption';
import { FanOut } from './fan-out';
import { createNotificationChannel } from './notifications';
import { OpenConnections } from './open-connections';
import { defaultLimits, type RealtimeLimits, type RealtimeServerOptions } from './options';
import { CloseCode, REALTIME_PATH_PREFIX } from './protocol';
import type { RealtimeLog } from './room';
import { Rooms } from './rooms';
import { DocumentStorage } from './storage';

const realtimeLog = log.child({ area: 'realtime' });
const serverLog: RealtimeLog = {
	warn: (message, detail) => realtimeLog.warn(detail ?? {}, message),
	error: (message, detail) => realtimeLog.error(detail ?? {}, message)
};

export class RealtimeServer {
	readonly instanceId = randomBytes(8).toString('hex');
	readonly storage: DocumentStorage;
	readonly limits: RealtimeLimits;

	readonly #options: RealtimeServerOptions;
	readonly #log: RealtimeLog;
	readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 0, perMessageDeflate: false });
	readonly #slots: ConnectionSlots;
	readonly #compaction: Compaction;
	readonly #rooms: Rooms;
	readonly #fanOut: FanOut;
	readonly #connections: OpenConnections;
	#timers: ReturnType<typeof setInterval>[] = [];
	#stopAccessEvents: (() => void) | undefined;
	#closing = false;

	constructor(options: RealtimeServerOptions) {
		this.#options = options;
		const { hooks } = options;
		this.#log = options.log ?? serverLog;
		this.limits = { ...defaultLimits, ...options.limits };
		// ws enforces a hard cap itself (closing with 1009); below it the connection answers 4413.
		this.#wss.options.maxPayload = this.limits.maxMessageBytes * 2;
		this.storage = new DocumentStorage(options.database.db, options.keyring, this.instanceId);
		this.#slots = new ConnectionSlots(options.database.db, this.instanceId);
		this.#compaction = new Compaction({
			storage: this.storage,
			every: this.limits.compactEvery,
			settle: (document) => this.#rooms.settle(document),
			log: this.#log
		});
		this.#rooms = new Rooms({
			roomDependencies: {
				storage: this.storage,
				policy: hooks.checkUpdate,
				limits: this.limits,
				relayAwareness: (document, update) => this.#fanOut.relayAwareness(document, update),
				afterStore: (room, change) => {
					this.#compaction.afterStore(room.name, change.removesEntry);
					hooks.afterStoreUpdate?.({ document: room.document, ...change });
				},
				log: this.#log
			},
			compaction: this.#compaction,
			idleUnloadMs: this.limits.idleUnloadMs,
			afterUnload: (document) => hooks.afterUnloadDocument?.(document),
			log: this.#log
		});
		this.#fanOut = new FanOut({
			instanceId: this.instanceId,
			channel: createNotificationChannel(options.database.driver),
			rooms: this.#rooms,
			log: this.#log
		});
		this.#connections = new OpenConnections({ hooks, log: this.#log });
	}

	/** Starts listening to the other processes and to access changes; call before serving upgrades. */
	async start(): Promise<void> {
		await this.#fanOut.start();
		this.#stopAccessEvents = onAccessChange((change) => this.#connections.onAccessChange(change));
		this.#timers.push(
			setInterval(() => this.#connections.heartbeat(), this.limits.heartbeatMs),
			setInterval(() => this.#connections.checkSessionExpiry(), 1000),
			setInterval(() => {
				this.#slots.renew().catch((error) => this.#log.error('renewing connection slots failed', { error }));
			}, 20_000)
		);
		for (const timer of this.#timers) timer.unref?.();
	}

	/**
	 * Handles an HTTP upgrade if its path is /realtime/…; returns false (touching nothing) otherwise, so
	 * other upgrade handlers (Vite's HMR in dev) keep working. Never throws. A refusal still completes the
	 * WebSocket handshake, so that the browser sees the close code (a failed upgrade shows only "1006").
	 */
	handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
		const path = (request.url ?? '').split('?')[0];
		if (!path.startsWith(REALTIME_PATH_PREFIX)) return false;
		socket.on('error', () => socket.destroy());
		const epoch = this.#connections.epoch;
		admit(request, path, {
			hooks: this.#options.hooks,
			slots: this.#slots,
			maxConnectionsPerUser: this.limits.maxConnectionsPerUser,
			origin: this.#options.origin,
			log: this.#log
		})
			.catch((error): Admission => {
				this.#log.error('admitting a realtime connection failed', { error });
				return { ok: false, code: CloseCode.serverError, reason: 'server error' };
			})
			.then((admission) => {
				// The connection slot an admission holds lives as long as the socket, whichever way it goes.
				let slot = admission.ok ? admission.slotId : null;
				const release = () => {
					if (slot)
						this.#slots
							.release(slot)
							.catch((error) => this.#log.error('giving back a connection slot failed', { error }));
					slot = null;
				};
				socket.once('close', release);
				if (socket.destroyed) return release();
				this.#wss.handleUpgrade(request, socket, head, (ws) => {
					if (!admission.ok || this.#closing) {
						const refusal = admission.ok ? { code: CloseCode.goingAway, reason: 'shutting down' } : admission;
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

	async #open(ws: WebSocket, admitted: Admitted, epoch: number) {
		ws.on('error', () => {});
		// The client speaks as soon as the handshake completes; ws drops messages nobody listens to, so
		// hold them while the document loads.
		const early: [unknown, boolean][] = [];
		const hold = (data: unknown, isBinary: boolean) => {
			if (early.length < this.limits.messageBurst) early.push([data, isBinary]);
			else ws.close(CloseCode.tooMany, 'too many messages');
		};
		ws.on('message', hold);
		await this.#options.hooks.onConnect?.(admitted.session.userId, admitted.parsed, admitted.grant);
		const room = await this.#rooms.load(admitted.document, admitted.parsed);
		ws.off('message', hold);
		if (ws.readyState !== ws.OPEN) return this.#rooms.leave(room);
		const { session } = admitted;
		const connection = new Connection({
			ws,
			room,
			identity: {
				userId: session.userId,
				name: session.name,
				sessionId: session.sessionId,
				sessionToken: admitted.sessionToken,
				sessionExpiresAt: session.expiresAt,
				sessionHardLimit: session.hardLimit
			},
			grant: admitted.grant,
			limits: this.limits,
			log: this.#log,
			onSaved: (saver) => this.#connections.slideSession(saver)
		});
		this.#rooms.enter(room, connection);
		ws.on('close', () => {
			connection.closed = true;
			this.#connections.remove(connection);
			this.#rooms.leave(room, connection);
		});
		connection.start(early);
		await this.#connections.add(connection, epoch);
	}

	/**
	 * Folds a document's stored updates into its snapshot now, so content deleted from it is gone from
	 * storage too (redaction, account deletion). Works whether or not the document is loaded.
	 */
	compact(document: string): Promise<void> {
		return this.#compaction.compact(document);
	}

	/** Open connections, for tests and the benchmark. */
	get connectionCount(): number {
		return this.#connections.count;
	}

	/** Documents in memory, counting those still being compacted on their way out. */
	get loadedDocumentCount(): number {
		return this.#rooms.count;
	}

	/** Closes every socket (1001, clients reconnect elsewhere), finishes queued work, unloads documents. */
	async close(): Promise<void> {
		if (this.#closing) return;
		this.#closing = true;
		for (const timer of this.#timers) clearInterval(timer);
		this.#stopAccessEvents?.();
		this.#connections.closeAll(CloseCode.goingAway, 'server shutting down');
		await this.#rooms.close();
		await this.#compaction.finish();
		await this.#fanOut.stop();
		await this.#slots.releaseAll().catch((error) => this.#log.error('giving back connection slots failed', { error }));
		this.#wss.close();
	}
}
