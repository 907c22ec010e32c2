/*
 * The open connections of this process, kept true to each person's access while they stay open.
 *
 * Revocation: access-events.ts announces sessions ended and memberships or groups changed, in this
 * process and (through NOTIFY) in every other. The affected connections read their session and grant
 * again and are closed (4401/4403/4428) or turned read-only. Session expiry is checked every second
 * against the expiry each connection last read; writing slides the session as a page request does.
 * A heartbeat ends sockets that stopped answering.
 */
import { getDocumentGroupId } from '$lib/board/document-names';
import type { AccessChange } from '../access-events';
import { refusalFor } from './admission';
import type { Connection } from './connection';
import type { RealtimeHooks } from './options';
import { CloseCode } from './protocol';
import type { RealtimeLog } from './room';

/** Writing slides the session at most this often. */
const SLIDE_INTERVAL_MS = 60_000;

export class OpenConnections {
	readonly #byUser = new Map<string, Set<Connection>>();
	readonly #hooks: RealtimeHooks;
	readonly #log: RealtimeLog;
	/** Counts access announcements, so a connection admitted while one arrived is checked again. */
	#epoch = 0;

	constructor(options: { hooks: RealtimeHooks; log: RealtimeLog }) {
		this.#hooks = options.hooks;
		this.#log = options.log;
	}

	get epoch(): number {
		return this.#epoch;
	}

	get count(): number {
		let count = 0;
		for (const connections of this.#byUser.values()) count += connections.size;
		return count;
	}

	/** Adds a connection; if an access change was announced since `admittedAt` (an epoch), it is checked again. */
	async add(connection: Connection, admittedAt: number): Promise<void> {
		let connections = this.#byUser.get(connection.userId);
		if (!connections) this.#byUser.set(connection.userId, (connections = new Set()));
		connections.add(connection);
		if (admittedAt !== this.#epoch) await this.#recheck(connection);
	}

	remove(connection: Connection): void {
		const connections = this.#byUser.get(connection.userId);
		connections?.delete(connection);
		if (connections?.size === 0) this.#byUser.delete(connection.userId);
	}

	async onAccessChange(change: AccessChange): Promise<void> {
		this.#epoch++;
		const affected =
			change.kind === 'sessions-ended'
				? [...(this.#byUser.get(change.userId) ?? [])].filter(
						(connection) => !change.sessionIds || change.sessionIds.includes(connection.sessionId)
					)
				: [...this.#all()].filter((connection) => getDocumentGroupId(connection.room.document) === change.groupId);
		await Promise.all(affected.map((connection) => this.#recheck(connection)));
	}

	checkSessionExpiry(): void {
		const now = Date.now();
		for (const connection of this.#all()) {
			if (connection.closed) continue;
			if (connection.grantUntil !== null && connection.grantUntil <= now) {
				// An emergency grant ran out: read the grant again (a new one may have started), else close.
				connection.grantUntil = null;
				void this.#recheck(connection);
				continue;
			}
			if (connection.sessionExpiresAt > now && connection.sessionHardLimit > now) continue;
			// Due by what we last read; the person may have been active on a page since, so look again.
			this.#refreshSession(connection).catch((error) => this.#log.error('checking a session failed', { error }));
		}
	}

	/** Writing is activity: slide the session (at most once a minute), as a page request would. */
	slideSession(connection: Connection): void {
		const now = Date.now();
		if (now - connection.lastSessionTouch < SLIDE_INTERVAL_MS) return;
		connection.lastSessionTouch = now;
		this.#hooks
			.authenticate(connection.sessionToken)
			.then((session) => {
				if (!session) connection.close(CloseCode.unauthenticated, 'session ended');
				else connection.sessionExpiresAt = session.expiresAt;
			})
			.catch((error) => this.#log.error('sliding a session failed', { error }));
	}

	heartbeat(): void {
		for (const connection of this.#all()) connection.ping();
	}

	closeAll(code: CloseCode, reason: string): void {
		for (const connection of this.#all()) connection.close(code, reason);
	}

	*#all(): Iterable<Connection> {
		for (const connections of this.#byUser.values()) yield* connections;
	}

	/** Re-reads the session and the grant and closes or downgrades the connection to match. */
	async #recheck(connection: Connection): Promise<void> {
		try {
			if (!(await this.#refreshSession(connection))) return;
			const access = await this.#hooks.authorize(connection.userId, connection.room.document);
			if (connection.closed) return;
			if (!access.ok) {
				const { code, reason } = refusalFor(access);
				connection.close(code, reason);
			} else connection.setGrant(access.grant);
		} catch (error) {
			this.#log.error('re-checking a connection failed', { error });
		}
	}

	/** Reads the session without sliding it; closes the connection (and returns false) when it has ended. */
	async #refreshSession(connection: Connection): Promise<boolean> {
		const session = await this.#hooks.readSession(connection.sessionId);
		if (!session) {
			connection.close(CloseCode.unauthenticated, 'session ended');
			return false;
		}
		connection.sessionExpiresAt = session.expiresAt;
		connection.sessionHardLimit = session.hardLimit;
		return true;
	}
}
