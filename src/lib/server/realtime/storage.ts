/*
 * Where documents live between processes and restarts (tables in db/schema/realtime.ts).
 *
 *   realtime_snapshot   one row per document: its whole state at the last compaction
 *   realtime_update     accepted updates since then, appended in acceptance order
 *   realtime_client     Yjs client id → the user who first wrote with it, per document
 *
 * A document's state is its snapshot followed by its updates in id order (Yjs applies them in any order,
 * the order only saves work). Bytes are sealed with encryption.ts before they reach PostgreSQL.
 * Appending an update and announcing it to the other processes is one statement, so the announcement is
 * sent exactly when the row commits: other processes never hear of a row they cannot read.
 *
 * Group commit. Appends from all of this process's documents are gathered and written together: whatever
 * arrives while batches are being committed goes out as one INSERT (with one NOTIFY per row) in one
 * transaction as soon as a batch may start. Each append still resolves only after its row has committed,
 * so "durable before visible" holds row by row; what changes is that N updates cost one round trip and
 * one WAL flush instead of N. (A transaction that NOTIFYs holds a database-wide lock while it commits,
 * so one-row transactions could not share WAL flushes at all.) Normally one batch commits while the
 * next collects, which keeps batches large and PostgreSQL's work per row small; when a burst is waiting
 * (a whole circle arriving), up to MAX_BATCHES_IN_FLIGHT commit at once. A document is in at most one
 * of them: its rows keep the order their appends were called in (several rows of one document in one
 * batch are inserted in that order).
 *
 * Client ids. An append may claim Yjs client ids for the user who wrote it (realtime_client); the claim
 * is made in the same statement as the row, and the row is stored only when every id it claims belongs
 * to that user afterwards. The table's primary key decides races, between processes too: the first
 * user to commit a claim owns the id, a later claim by someone else gets `client-id`.
 *
 * Sequences. A room checks each update against a document that already holds the updates it sent before
 * (still committing), so those later rows are only right if the earlier ones are stored. Appends made with
 * one AppendSequence are therefore all-or-prefix: once one of them is refused or fails, every later one
 * fails too (SequenceBrokenError), including appends made after that but before the caller noticed.
 * When PostgreSQL refuses a batch's statement, its rows are retried one by one in order, so that one bad
 * row fails alone (with the rest of its sequence); when the connection fails, the whole batch fails.
 */
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { union } from 'drizzle-orm/pg-core';
import * as Y from 'yjs';
import { arrayParam, batched } from '../db/batched';
import { rowsOf, type Database } from '../db/client';
import { realtimeClient, realtimeSnapshot, realtimeUpdate } from '../db/schema/realtime';
import type { DataKeyring } from './encryption';
import { REALTIME_CHANNEL, storedNoticePrefix } from './fan-out';

/** At most this many rows, and about this many bytes, go into one group-commit batch. */
const MAX_BATCH_ROWS = 200;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Batches committing at once; each holds one pooled connection while it runs. */
const MAX_BATCHES_IN_FLIGHT = 3;
/** Appends waiting that make a burst, worth a second batch while one is committing. */
const BURST_ROWS = 32;

// The first half of a two-part advisory lock key, so compaction locks cannot collide with other features'.
const COMPACTION_LOCK_SPACE = 727_004;

function toBuffer(bytes: Uint8Array): Buffer {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Appends that must be stored in order, all or a prefix (see "Sequences" in the header). */
export class AppendSequence {
	broken = false;
}

/** Thrown for an append whose sequence broke before it could be stored: nothing of it was stored. */
export class SequenceBrokenError extends Error {
	constructor() {
		super('An earlier update of this document was not stored');
	}
}

/** The outcome of an append: stored with its row id, or refused because a claimed client id is someone else's. */
export type AppendResult = { stored: true; id: number } | { stored: false; reason: 'client-id' };

/** One parameter holding a whole column of a batch, so the statement's text does not depend on its length. */
function column<T>(items: T[], type: 'int' | 'bigint' | 'text', pick: (item: T, index: number) => unknown) {
	return arrayParam(items.map(pick), type);
}

/** What one row of the insert statement needs. */
type InsertRow = Pick<PendingAppend, 'document' | 'keyId' | 'data'> & { claim?: PendingAppend['claim'] };

export interface AppendOptions {
	sequence?: AppendSequence;
	/** Yjs client ids to bind to `userId` in the same commit; the row is stored only if they are theirs. */
	claim?: { userId: string; clientIds: number[] };
}

interface PendingAppend {
	document: string;
	keyId: string;
	data: Buffer;
	sequence: AppendSequence | undefined;
	claim: AppendOptions['claim'];
	resolve(result: AppendResult): void;
	reject(error: unknown): void;
}

/** Whether PostgreSQL answered with an error about the statement (an SQLSTATE outside the connection and resource classes). */
function isStatementError(error: unknown): boolean {
	let cause = error;
	// drizzle wraps the driver's error (DrizzleQueryError → cause).
	for (let depth = 0; depth < 4 && cause; depth++) {
		const code = (cause as { code?: unknown }).code;
		if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return !/^(08|53|57|58)/.test(code);
		cause = (cause as { cause?: unknown }).cause;
	}
	return false;
}

export class DocumentStorage {
	readonly #db: Database;
	readonly #keyring: DataKeyring;
	readonly #instanceId: string;
	/** Appends not yet sent, oldest first. */
	#waiting: PendingAppend[] = [];
	/** Documents with a batch committing: their next rows wait, so that rows keep their order. */
	readonly #committing = new Set<string>();
	#batchesInFlight = 0;
	#flushScheduled = false;

	constructor(db: Database, keyring: DataKeyring, instanceId: string) {
		this.#db = db;
		this.#keyring = keyring;
		this.#instanceId = instanceId;
	}

	/** The stored state as a list of updates (snapshot first); apply them all to rebuild the document. */
	load(document: string): Promise<{ updates: Uint8Array[]; lastUpdateId: number }> {
		return this.#load(document);
	}

	// Documents asked for together (a burst of arrivals opens many rooms at once) are read in two queries.
	readonly #load = batched(async (documents: readonly string[]) => {
		const names = arrayParam(documents, 'text');
		const snapshots = await this.#db
			.select({ document: realtimeSnapshot.document, keyId: realtimeSnapshot.keyId, data: realtimeSnapshot.data })
			.from(realtimeSnapshot)
			.where(sql`${realtimeSnapshot.document} = any(${names})`);
		const rows = await this.#db
			.select({
				document: realtimeUpdate.document,
				id: realtimeUpdate.id,
				keyId: realtimeUpdate.keyId,
				data: realtimeUpdate.data
			})
			.from(realtimeUpdate)
			.where(sql`${realtimeUpdate.document} = any(${names})`)
			.orderBy(realtimeUpdate.id);
		const snapshotOf = new Map(snapshots.map((snapshot) => [snapshot.document, snapshot]));
		const updatesOf = Map.groupBy(rows, (row) => row.document);
		return documents.map((document) => {
			const snapshot = snapshotOf.get(document);
			const stored = updatesOf.get(document) ?? [];
			try {
				const updates = snapshot ? [this.#keyring.open(snapshot, document, 'snapshot')] : [];
				for (const row of stored) updates.push(this.#keyring.open(row, document, 'update'));
				return { updates, lastUpdateId: stored.at(-1)?.id ?? 0 };
			} catch (error) {
				// A document that cannot be opened (UnreadableDataError) fails alone, not the others read with it.
				return error instanceof Error ? error : new Error(String(error));
			}
		});
	});

	/** One stored update, or null when a compaction has folded it into the snapshot already. */
	async readUpdate(document: string, id: number): Promise<Uint8Array | null> {
		const [row] = await this.#db
			.select({ keyId: realtimeUpdate.keyId, data: realtimeUpdate.data })
			.from(realtimeUpdate)
			.where(and(eq(realtimeUpdate.id, id), eq(realtimeUpdate.document, document)));
		return row ? this.#keyring.open(row, document, 'update') : null;
	}

	/**
	 * Stores an accepted update and, in the same statement, tells the other processes (and claims
	 * `options.claim`'s client ids); resolves once committed, or refused for `client-id` (see the header).
	 * Rejects with SequenceBrokenError when an earlier append of its sequence was not stored.
	 */
	append(document: string, update: Uint8Array, options: AppendOptions = {}): Promise<AppendResult> {
		if (options.sequence?.broken) return Promise.reject(new SequenceBrokenError());
		const sealed = this.#keyring.seal(update, document, 'update');
		return new Promise<AppendResult>((resolve, reject) => {
			this.#waiting.push({
				document,
				keyId: sealed.keyId,
				data: toBuffer(sealed.data),
				sequence: options.sequence,
				claim: options.claim?.clientIds.length ? options.claim : undefined,
				resolve,
				reject
			});
			this.#scheduleFlush();
		});
	}

	/**
	 * Stores changes to several documents (one each) in one statement, so either all commit, with their
	 * notices, or none does: for server writes that must not be half-done. It skips the group-commit queue,
	 * so the caller must have no append to these documents pending on this storage (server-writes.ts
	 * holds each document's queue while it writes). Resolves with the row ids, in order.
	 */
	async appendTogether(changes: { document: string; update: Uint8Array }[]): Promise<number[]> {
		if (new Set(changes.map((change) => change.document)).size !== changes.length) {
			throw new TypeError('appendTogether takes one change per document');
		}
		const results = await this.#insert(
			changes.map(({ document, update }) => {
				const sealed = this.#keyring.seal(update, document, 'update');
				return { document, keyId: sealed.keyId, data: toBuffer(sealed.data) };
			})
		);
		return results.map((result) => {
			if (!result?.stored) throw new Error('The stored update was not returned');
			return result.id;
		});
	}

	#scheduleFlush() {
		if (this.#flushScheduled || this.#waiting.length === 0) return;
		this.#flushScheduled = true;
		// After the current round of I/O callbacks, so that updates read from several sockets at once share a commit.
		setImmediate(() => {
			this.#flushScheduled = false;
			this.#flush();
		});
	}

	#flush() {
		while (
			this.#batchesInFlight === 0 ||
			(this.#batchesInFlight < MAX_BATCHES_IN_FLIGHT && this.#waiting.length >= BURST_ROWS)
		) {
			const batch = this.#takeBatch();
			if (batch.length === 0) return;
			this.#batchesInFlight++;
			void this.#commit(batch).finally(() => {
				this.#batchesInFlight--;
				for (const append of batch) this.#committing.delete(append.document);
				this.#scheduleFlush();
			});
		}
	}

	/** The oldest waiting appends of documents not committing now, in order, within the batch limits. */
	#takeBatch(): PendingAppend[] {
		const batch: PendingAppend[] = [];
		const held = new Set(this.#committing);
		let bytes = 0;
		const rest: PendingAppend[] = [];
		for (const append of this.#waiting) {
			if (append.sequence?.broken) {
				append.reject(new SequenceBrokenError());
				continue;
			}
			const fits =
				batch.length < MAX_BATCH_ROWS && (batch.length === 0 || bytes + append.data.byteLength <= MAX_BATCH_BYTES);
			if (held.has(append.document) || !fits) {
				// Its document's later rows must not overtake it.
				held.add(append.document);
				rest.push(append);
				continue;
			}
			batch.push(append);
			bytes += append.data.byteLength;
		}
		this.#waiting = rest;
		for (const append of batch) this.#committing.add(append.document);
		return batch;
	}

	/** Writes a batch; never rejects (each append's own promise carries its outcome). */
	async #commit(batch: PendingAppend[]) {
		let results: (AppendResult | null)[];
		try {
			results = await this.#insert(batch);
		} catch (error) {
			if (batch.length === 1 || !isStatementError(error)) {
				// The database is unreachable or failing as a whole: retrying row by row would only wait longer.
				for (const append of batch) this.#fail(append, error);
				return;
			}
			// PostgreSQL refused the statement, perhaps because of one row: the others are stored on their own.
			for (const append of batch) {
				if (append.sequence?.broken) this.#fail(append, new SequenceBrokenError());
				else await this.#commit([append]);
			}
			return;
		}
		for (const [index, append] of batch.entries()) {
			const result = results[index];
			if (result === null) this.#fail(append, new SequenceBrokenError());
			else {
				if (!result.stored && append.sequence) append.sequence.broken = true;
				append.resolve(result);
			}
		}
	}

	#fail(append: PendingAppend, error: unknown) {
		if (append.sequence) append.sequence.broken = true;
		append.reject(error);
	}

	/**
	 * One statement: claims the client ids, then inserts (in batch order) every row whose claims all came
	 * out as its writer's and whose document has no earlier row refused in this batch, with their notices.
	 * The rows travel as arrays, so the statement's text is the same for every batch and PostgreSQL
	 * prepares it once per connection. Most batches claim nothing (only a client's first write does) and
	 * take a plainer statement, with less for PostgreSQL to plan and run.
	 */
	async #insert(batch: InsertRow[]): Promise<(AppendResult | null)[]> {
		const ords = column(batch, 'int', (_, ord) => ord);
		const documents = column(batch, 'text', (append) => append.document);
		const keyIds = column(batch, 'text', (append) => append.keyId);
		// Bytes travel as hex text: the driver cannot send an array of them as one parameter.
		const data = column(batch, 'text', (append) => append.data.toString('hex'));
		const prefixes = column(batch, 'text', (append) => storedNoticePrefix(this.#instanceId, append.document));
		const rows = sql`select ord, document, key_id, decode(data, 'hex') as data, prefix
			from unnest(${ords}, ${documents}, ${keyIds}, ${data}, ${prefixes}) as batch (ord, document, key_id, data, prefix)`;
		const stored = sql`select inserted.id, inserted.document, null::int as refused_ord,
				pg_notify(${REALTIME_CHANNEL}, notice.prefix || inserted.id::text)::text as notified
			from inserted join notice on notice.document = inserted.document`;
		const claimed = batch.flatMap((append, ord) =>
			(append.claim?.clientIds ?? []).map((clientId) => ({ ord, userId: append.claim?.userId, clientId }))
		);
		const claimOrds = column(claimed, 'int', (claim) => claim.ord);
		const claimUsers = column(claimed, 'text', (claim) => claim.userId);
		const claimIds = column(claimed, 'bigint', (claim) => claim.clientId);
		// ON CONFLICT DO UPDATE (a no-op) rather than DO NOTHING, so that RETURNING gives the owner of an id
		// someone else bound first, even one committed after this statement's snapshot.
		const statement =
			claimed.length > 0
				? sql`
			with batch as (${rows}),
			notice as (select distinct document, prefix from batch),
			wanted as (
				select batch.ord, batch.document, claimed.user_id, claimed.client_id
				from unnest(${claimOrds}, ${claimUsers}, ${claimIds}) as claimed (ord, user_id, client_id)
				join batch on batch.ord = claimed.ord
			),
			claims as (
				select distinct on (document, client_id) document, client_id, user_id
				from wanted order by document, client_id, ord
			),
			bound as (
				insert into ${realtimeClient} (document, client_id, user_id)
				select document, client_id, user_id from claims
				on conflict (document, client_id) do update set user_id = ${realtimeClient}.user_id
				returning document, client_id, user_id
			),
			refused as (
				select wanted.document, min(wanted.ord) as ord
				from wanted join bound on bound.document = wanted.document and bound.client_id = wanted.client_id
				where bound.user_id <> wanted.user_id
				group by wanted.document
			),
			inserted as (
				insert into ${realtimeUpdate} (document, key_id, data)
				select batch.document, batch.key_id, batch.data from batch
				where not exists (select 1 from refused where refused.document = batch.document and batch.ord >= refused.ord)
				order by batch.ord
				returning id, document
			)
			${stored}
			union all
			select null, refused.document, refused.ord, null from refused`
				: sql`
			with batch as (${rows}),
			notice as (select distinct document, prefix from batch),
			inserted as (
				insert into ${realtimeUpdate} (document, key_id, data)
				select document, key_id, data from batch order by ord
				returning id, document
			)
			${stored}`;
		const result = await this.#db.execute(statement);
		return matchResults(
			batch,
			rowsOf<{ id: number | string | null; document: string; refused_ord: number | null }>(result)
		);
	}

	loadClientBindings(document: string): Promise<Map<number, string>> {
		return this.#loadClientBindings(document);
	}

	readonly #loadClientBindings = batched(async (documents: readonly string[]) => {
		const rows = await this.#db
			.select({ document: realtimeClient.document, clientId: realtimeClient.clientId, userId: realtimeClient.userId })
			.from(realtimeClient)
			.where(sql`${realtimeClient.document} = any(${arrayParam(documents, 'text')})`);
		const bindingsOf = Map.groupBy(rows, (row) => row.document);
		return documents.map(
			(document) => new Map((bindingsOf.get(document) ?? []).map((row) => [row.clientId, row.userId]))
		);
	});

	/**
	 * Folds the document's updates into a fresh snapshot and deletes exactly the rows it folded, in one
	 * transaction. The snapshot is built from storage, not from any process's memory, with garbage
	 * collection on: content deleted in the document (a redaction, a deleted account's posts) is gone from
	 * storage afterwards. Rows appended while it runs are left for the next compaction.
	 */
	async compact(document: string): Promise<{ folded: number }> {
		return this.#db.transaction(async (tx) => {
			await tx.execute(sql`select pg_advisory_xact_lock(${COMPACTION_LOCK_SPACE}, hashtext(${document}))`);
			const [snapshot] = await tx
				.select({ keyId: realtimeSnapshot.keyId, data: realtimeSnapshot.data })
				.from(realtimeSnapshot)
				.where(eq(realtimeSnapshot.document, document));
			const rows = await tx
				.select({ id: realtimeUpdate.id, keyId: realtimeUpdate.keyId, data: realtimeUpdate.data })
				.from(realtimeUpdate)
				.where(eq(realtimeUpdate.document, document))
				.orderBy(realtimeUpdate.id);
			if (rows.length === 0 && (!snapshot || snapshot.keyId === this.#keyring.currentKeyId)) {
				return { folded: 0 };
			}
			const doc = new Y.Doc({ gc: true });
			try {
				if (snapshot) Y.applyUpdate(doc, this.#keyring.open(snapshot, document, 'snapshot'));
				for (const row of rows) Y.applyUpdate(doc, this.#keyring.open(row, document, 'update'));
				const sealed = this.#keyring.seal(Y.encodeStateAsUpdate(doc), document, 'snapshot');
				const compactedAt = new Date();
				await tx
					.insert(realtimeSnapshot)
					.values({ document, keyId: sealed.keyId, data: sealed.data, compactedAt })
					.onConflictDoUpdate({
						target: realtimeSnapshot.document,
						set: { keyId: sealed.keyId, data: sealed.data, compactedAt }
					});
			} finally {
				doc.destroy();
			}
			if (rows.length > 0) {
				await tx.delete(realtimeUpdate).where(
					inArray(
						realtimeUpdate.id,
						rows.map((row) => row.id)
					)
				);
			}
			return { folded: rows.length };
		});
	}

	/** Removes a document and its bindings entirely (a deleted group or account). */
	async deleteDocument(document: string): Promise<void> {
		await this.#db.transaction(async (tx) => {
			await tx.execute(sql`select pg_advisory_xact_lock(${COMPACTION_LOCK_SPACE}, hashtext(${document}))`);
			await tx.delete(realtimeUpdate).where(eq(realtimeUpdate.document, document));
			await tx.delete(realtimeSnapshot).where(eq(realtimeSnapshot.document, document));
			await tx.delete(realtimeClient).where(eq(realtimeClient.document, document));
		});
	}
}

/**
 * Each append's outcome from the statement's answer: a document's stored ids, ascending, belong to its
 * rows in batch order (they were inserted in that order); its refused row, if any, is refused, and its
 * later rows (null) were not stored.
 */
function matchResults(
	batch: InsertRow[],
	rows: { id: number | string | null; document: string; refused_ord: number | null }[]
): (AppendResult | null)[] {
	const ids = new Map<string, number[]>();
	const refusedFrom = new Map<string, number>();
	for (const row of rows) {
		if (row.refused_ord !== null) refusedFrom.set(row.document, Number(row.refused_ord));
		else ids.set(row.document, [...(ids.get(row.document) ?? []), Number(row.id)]);
	}
	for (const list of ids.values()) list.sort((a, b) => a - b);
	const next = new Map<string, number>();
	return batch.map((append, ord) => {
		const from = refusedFrom.get(append.document);
		if (from !== undefined && ord === from) return { stored: false, reason: 'client-id' } as const;
		if (from !== undefined && ord > from) return null;
		const index = next.get(append.document) ?? 0;
		next.set(append.document, index + 1);
		const id = ids.get(append.document)?.[index];
		if (id === undefined) throw new Error('The stored update was not returned');
		return { stored: true, id } as const;
	});
}

/** The stored documents whose names start with `prefix` (names are ids, never content), sorted. */
export async function listStoredDocuments(db: Database, prefix: string): Promise<string[]> {
	const pattern = `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
	const rows = await union(
		db
			.selectDistinct({ document: realtimeSnapshot.document })
			.from(realtimeSnapshot)
			.where(like(realtimeSnapshot.document, pattern)),
		db
			.selectDistinct({ document: realtimeUpdate.document })
			.from(realtimeUpdate)
			.where(like(realtimeUpdate.document, pattern))
	);
	return rows.map((row) => row.document).sort();
}
