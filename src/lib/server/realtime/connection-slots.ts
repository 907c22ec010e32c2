/*
 * A person's open realtime sockets, counted across every process sharing the database
 * (realtime_connection), so that the per-person connection limit holds however many processes serve them.
 *
 * A slot is taken when a socket is admitted, before its document loads, in one round trip
 * (take_realtime_slot, drizzle/0009: under a per-person advisory lock, so a burst of upgrades is counted
 * one by one), and given back when the socket closes. Each process renews its slots while it runs; the
 * slots of a process that died lapse after `ttlMs`.
 */
import { randomBytes } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { rowsOf } from '../db/client';
import { realtimeConnection } from '../db/schema';

export class ConnectionSlots {
	readonly #db: Database;
	readonly #instanceId: string;
	readonly #ttlMs: number;

	constructor(db: Database, instanceId: string, ttlMs = 60_000) {
		this.#db = db;
		this.#instanceId = instanceId;
		this.#ttlMs = ttlMs;
	}

	/** A slot for `userId` if they hold fewer than `max` in all processes: its id, else null. */
	async take(userId: string, max: number): Promise<string | null> {
		const id = randomBytes(12).toString('hex');
		const now = Date.now();
		const [liveAfter, expiresAt] = [new Date(now).toISOString(), new Date(now + this.#ttlMs).toISOString()];
		const result = await this.#db.execute(
			sql`select take_realtime_slot(${id}, ${this.#instanceId}, ${userId}, ${max}::int,
				${liveAfter}::timestamptz, ${expiresAt}::timestamptz) as taken`
		);
		return rowsOf<{ taken: boolean }>(result)[0]?.taken ? id : null;
	}

	async release(slotId: string): Promise<void> {
		await this.#db.delete(realtimeConnection).where(eq(realtimeConnection.id, slotId));
	}

	/** Keeps this process's slots alive, and clears lapsed ones left by processes that died. */
	async renew(): Promise<void> {
		const now = Date.now();
		await this.#db
			.update(realtimeConnection)
			.set({ expiresAt: new Date(now + this.#ttlMs) })
			.where(eq(realtimeConnection.instanceId, this.#instanceId));
		await this.#db.delete(realtimeConnection).where(lt(realtimeConnection.expiresAt, new Date(now)));
	}

	async releaseAll(): Promise<void> {
		await this.#db.delete(realtimeConnection).where(eq(realtimeConnection.instanceId, this.#instanceId));
	}
}
