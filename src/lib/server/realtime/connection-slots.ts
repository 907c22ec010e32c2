/*
 * A person's open realtime sockets, counted across every process sharing the database
 * (realtime_connection), so that the per-person connection limit holds however many processes serve them.
 *
 * A slot is taken when a socket is admitted, before its document loads, in one round trip
 * (take_realtime_slot, drizzle/0009: under a per-person advisory lock, so a burst of upgrades is counted
 * one by one, also within one batched statement), and given back when the socket closes. Each process
 * renews its slots while it runs; the slots of a process that died lapse after `ttlMs`.
 */
import { randomBytes } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { arrayParam, batched } from '../db/batched';
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
	take(userId: string, max: number): Promise<string | null> {
		return this.#take({ userId, max });
	}

	/** Gives a slot back when its socket has closed. */
	release(slotId: string): Promise<void> {
		return this.#release(slotId);
	}

	// A burst of sockets (a circle arriving, a restart's reconnections) takes and gives back its slots in
	// a few statements. The slots are taken in the order of their people, so that two batches running at
	// once (in this process or another) take the per-person locks in the same order and never deadlock.
	readonly #take = batched(async (requests: readonly { userId: string; max: number }[]) => {
		const now = Date.now();
		const taking = requests
			.map((request, index) => ({ ...request, index, id: randomBytes(12).toString('hex') }))
			.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : a.index - b.index));
		const result = await this.#db.execute(
			sql`select slot.id, take_realtime_slot(slot.id, ${this.#instanceId}, slot.user_id, slot.max,
				${new Date(now).toISOString()}::timestamptz, ${new Date(now + this.#ttlMs).toISOString()}::timestamptz) as taken
			from unnest(
				${arrayParam(
					taking.map((slot) => slot.id),
					'text'
				)},
				${arrayParam(
					taking.map((slot) => slot.userId),
					'text'
				)},
				${arrayParam(
					taking.map((slot) => slot.max),
					'int'
				)}
			) with ordinality as slot (id, user_id, max, ord)
			order by slot.ord`
		);
		const taken = new Set(
			rowsOf<{ id: string; taken: boolean }>(result)
				.filter((row) => row.taken)
				.map((row) => row.id)
		);
		const ids: (string | null)[] = [];
		for (const slot of taking) ids[slot.index] = taken.has(slot.id) ? slot.id : null;
		return ids;
	});

	readonly #release = batched(async (slotIds: readonly string[]) => {
		await this.#db
			.delete(realtimeConnection)
			.where(sql`${realtimeConnection.id} = any(${arrayParam(slotIds, 'text')})`);
		return slotIds.map(() => undefined);
	});

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
