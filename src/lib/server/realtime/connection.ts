/*
 * One open socket: one signed-in user on one document. It reads messages in order (one at a time, so
 * acknowledgements come back in the order updates were sent), enforces the per-connection limits and
 * answers each update message with `saved` or `refused` (protocol.ts).
 */
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import type { DocumentGrant } from './access';
import {
	CloseCode,
	decodeClientMessage,
	encodeAccess,
	encodeRefused,
	encodeSaved,
	encodeSyncStep1,
	encodeSyncStep2
} from './protocol';
import type { RealtimeLog, Room, RoomMember, Verdict } from './room';

/** Update messages that may wait for the client's sync step 2 before they are judged anyway. */
const MAX_WAITING_UPDATES = 32;

export interface ConnectionLimits {
	maxMessageBytes: number;
	/** Sustained messages per second; beyond it the socket is paused (back-pressure, not an error). */
	messagesPerSecond: number;
	messageBurst: number;
	/** Refused updates before the connection is closed with 4408. */
	maxViolations: number;
	/** Bytes queued towards a client that does not read before it is dropped (it reconnects and resyncs). */
	maxBufferedBytes: number;
	/**
	 * Sync step 1 requests a connection may make in a minute. Each is answered with all the document has
	 * beyond the client's state (the whole document for an empty one): an honest client asks once per
	 * socket, a hostile one would make the server send the document again and again.
	 */
	maxSyncRequestsPerMinute: number;
}

export interface ConnectionIdentity {
	userId: string;
	name: string;
	sessionId: string;
	/** The cookie token, kept only to slide the session while the person is writing. */
	sessionToken: string;
	sessionExpiresAt: number;
	sessionHardLimit: number;
}

export class Connection implements RoomMember {
	readonly userId: string;
	readonly sessionId: string;
	readonly sessionToken: string;
	readonly room: Room;
	readonly awarenessClients = new Set<number>();
	presence: RoomMember['presence'];
	role: 'facilitator' | 'member';
	canWrite: boolean;
	/** When an emergency grant ends (ms), or null for access through membership. */
	grantUntil: number | null;
	coolOff: DocumentGrant['coolOff'];
	sessionExpiresAt: number;
	sessionHardLimit: number;
	lastSessionTouch = Date.now();
	/** Set false by each heartbeat, true by each pong or message. */
	alive = true;
	closed = false;

	readonly #ws: WebSocket;
	readonly #limits: ConnectionLimits;
	readonly #log: RealtimeLog;
	readonly #onSaved: (connection: Connection) => void;
	#queue: Promise<void> = Promise.resolve();
	#queued = 0;
	#updateSeq = 0;
	#violations = 0;
	/** When this connection's recent sync step 1 requests came (at most maxSyncRequestsPerMinute). */
	#syncRequests: number[] = [];
	/** Whether the client's answer to our sync step 1 has arrived; until then see #waitForAnswer. */
	#answered = false;
	/** Update messages waiting for that answer (protocol.ts, "Reconnecting"). */
	#waiting: { seq: number; update: Uint8Array }[] = [];
	#tokens: number;
	#tokensAt = Date.now();
	#resumeTimer: ReturnType<typeof setTimeout> | undefined;

	constructor(options: {
		ws: WebSocket;
		room: Room;
		identity: ConnectionIdentity;
		grant: DocumentGrant;
		limits: ConnectionLimits;
		log: RealtimeLog;
		/** Called after an accepted update was acknowledged: the person is active, so their session may slide. */
		onSaved: (connection: Connection) => void;
	}) {
		this.#ws = options.ws;
		this.room = options.room;
		this.userId = options.identity.userId;
		this.sessionId = options.identity.sessionId;
		this.sessionToken = options.identity.sessionToken;
		this.sessionExpiresAt = options.identity.sessionExpiresAt;
		this.sessionHardLimit = options.identity.sessionHardLimit;
		this.role = options.grant.role;
		this.canWrite = options.grant.canWrite;
		this.grantUntil = options.grant.emergency?.until ?? null;
		this.coolOff = options.grant.coolOff;
		this.presence = { id: this.userId, name: options.identity.name, role: this.role };
		this.#limits = options.limits;
		this.#log = options.log;
		this.#onSaved = options.onSaved;
		this.#tokens = options.limits.messageBurst;
	}

	/** Sends the opening messages and starts reading; the caller has already joined the room. */
	start(early: [unknown, boolean][] = []) {
		this.#ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
		this.#ws.on('pong', () => {
			this.alive = true;
		});
		this.send(encodeAccess(this.canWrite));
		this.send(encodeSyncStep1(this.room.stateVector()));
		const states = this.room.encodeAwarenessStates();
		if (states) this.send(states);
		for (const [data, isBinary] of early) this.#receive(data, isBinary);
	}

	send(message: Uint8Array) {
		if (this.closed || this.#ws.readyState !== this.#ws.OPEN) return;
		if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
			this.close(CloseCode.serverError, 'too slow');
			return;
		}
		this.#ws.send(message, { binary: true }, (error) => {
			if (error) this.close(CloseCode.serverError, 'send failed');
		});
	}

	/** Changes what the connection may do (a mute, an archived group) and tells the client. */
	setGrant(grant: DocumentGrant) {
		const changed = grant.canWrite !== this.canWrite || grant.role !== this.role;
		this.role = grant.role;
		this.canWrite = grant.canWrite;
		this.grantUntil = grant.emergency?.until ?? null;
		this.coolOff = grant.coolOff;
		this.presence = { ...this.presence, role: grant.role };
		if (changed) this.send(encodeAccess(grant.canWrite));
	}

	close(code: number, reason: string) {
		if (this.closed) return;
		this.closed = true;
		clearTimeout(this.#resumeTimer);
		try {
			this.#ws.close(code, reason);
		} catch {
			this.#ws.terminate();
		}
	}

	/** Ends a connection whose peer stopped answering, without waiting for a closing handshake. */
	terminate() {
		this.closed = true;
		clearTimeout(this.#resumeTimer);
		this.#ws.terminate();
	}

	ping() {
		if (!this.alive) {
			this.terminate();
			return;
		}
		this.alive = false;
		try {
			this.#ws.ping();
		} catch {
			this.terminate();
		}
	}

	#receive(data: unknown, isBinary: boolean) {
		if (this.closed) return;
		this.alive = true;
		const bytes = toBytes(data);
		if (!isBinary || !bytes) {
			this.close(CloseCode.badRequest, 'binary messages only');
			return;
		}
		if (bytes.byteLength > this.#limits.maxMessageBytes) {
			this.close(CloseCode.tooBig, 'message too big');
			return;
		}
		this.#throttle();
		this.#queued++;
		this.#queue = this.#queue
			.then(() => this.#handle(bytes))
			.catch((error) => {
				this.#log.error('handling a realtime message failed', { kind: this.room.document.kind, error });
				this.close(CloseCode.serverError, 'server error');
			})
			.finally(() => {
				this.#queued--;
			});
	}

	/** A token bucket: when it is empty the socket stops being read until the next token is due. */
	#throttle() {
		const now = Date.now();
		const { messagesPerSecond, messageBurst } = this.#limits;
		this.#tokens = Math.min(messageBurst, this.#tokens + ((now - this.#tokensAt) / 1000) * messagesPerSecond);
		this.#tokensAt = now;
		this.#tokens -= 1;
		if (this.#tokens >= 0 || this.#ws.isPaused) return;
		this.#ws.pause();
		const wait = Math.ceil((-this.#tokens / messagesPerSecond) * 1000);
		this.#resumeTimer = setTimeout(() => {
			if (!this.closed) this.#ws.resume();
		}, wait);
	}

	async #handle(bytes: Uint8Array) {
		if (this.closed) return;
		const message = decodeClientMessage(bytes);
		if (!message) {
			this.close(CloseCode.badRequest, 'not a Hearth realtime message');
			return;
		}
		switch (message.type) {
			case 'sync-step-1': {
				const now = Date.now();
				this.#syncRequests = this.#syncRequests.filter((at) => now - at < 60_000);
				if (this.#syncRequests.push(now) > this.#limits.maxSyncRequestsPerMinute) {
					this.close(CloseCode.tooMany, 'too many sync requests');
					return;
				}
				// In the room's queue: never from a document holding a change that is not stored yet.
				const reply = await this.room.answerSyncStep1(message.stateVector);
				if (!reply) {
					this.close(CloseCode.badRequest, 'unreadable state vector');
					return;
				}
				this.send(encodeSyncStep2(reply));
				return;
			}
			case 'update': {
				const seq = ++this.#updateSeq;
				if (this.#waiting.length > 0 || !this.#answered) {
					await this.#receiveBeforeAnswer(seq, message.update, message.answer);
					return;
				}
				this.#answer([seq], await this.room.receiveUpdate(this, message.update));
				return;
			}
			case 'awareness': {
				// Someone reading in an emergency is not one of the people in the room: nobody sees them as present.
				if (this.grantUntil !== null) return;
				if (!this.room.receiveAwareness(this, message.update)) {
					this.close(CloseCode.badRequest, 'unreadable awareness update');
				}
				return;
			}
			case 'query-awareness': {
				const states = this.room.encodeAwarenessStates();
				if (states) this.send(states);
				return;
			}
		}
	}

	/**
	 * Before the client's sync step 2 has arrived, an update it cannot have meant to send incomplete waits
	 * for it; once the step 2 is here, the waiting ones and it are judged as one (protocol.ts).
	 */
	async #receiveBeforeAnswer(seq: number, update: Uint8Array, isAnswer: boolean) {
		if (isAnswer) this.#answered = true;
		if (this.#waiting.length === 0) {
			const verdict = await this.room.receiveUpdate(this, update);
			const incomplete = verdict.kind === 'refused' && verdict.reason === 'incomplete';
			if (!incomplete || this.#answered) {
				this.#answer([seq], verdict);
				return;
			}
			this.#waiting.push({ seq, update });
			return;
		}
		this.#waiting.push({ seq, update });
		if (!this.#answered && this.#waiting.length < MAX_WAITING_UPDATES) return;
		const waiting = this.#waiting.splice(0);
		this.#answered = true;
		const merged = waiting.length === 1 ? waiting[0].update : Y.mergeUpdates(waiting.map((entry) => entry.update));
		this.#answer(
			waiting.map((entry) => entry.seq),
			await this.room.receiveUpdate(this, merged)
		);
	}

	/** Answers update messages (in order) with one verdict. */
	#answer(seqs: number[], verdict: Verdict) {
		if (verdict.kind === 'saved') {
			for (const seq of seqs) this.send(encodeSaved(seq));
			this.#onSaved(this);
		} else if (verdict.kind === 'refused') {
			for (const seq of seqs) this.send(encodeRefused(seq, verdict.reason));
			if (verdict.violation && ++this.#violations >= this.#limits.maxViolations) {
				this.close(CloseCode.policy, 'too many refused updates');
			}
		} else {
			this.close(CloseCode.serverError, 'could not store the update');
		}
	}

	/** Whether messages are waiting to be handled (used when shutting down). */
	get busy(): boolean {
		return this.#queued > 0;
	}
}

function toBytes(data: unknown): Uint8Array | null {
	if (data instanceof Uint8Array) return data;
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) return Buffer.concat(data);
	return null;
}
