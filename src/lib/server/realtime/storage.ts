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
 * Group commit. Appends from all of this process's documents are gathered and written together: while
 * one batch is being committed, the next collects whatever arrives meanwhile, and goes out as one
 * INSERT (with one NOTIFY per row) in one transaction as soon as the previous one is done. Each append
 * still resolves only after its row has committed, so "durable before visible" holds row by row; what
 * changes is that N updates cost one round trip and one WAL flush instead of N. (A transaction that
 * NOTIFYs holds a database-wide lock while it commits, so one-row transactions could not share WAL
 * flushes at all.) A batch holds at most one row per document, so a document's rows keep the order
 * their appends were called in. When PostgreSQL refuses a batch's statement, its rows are retried one by
 * one, so that one bad row cannot fail the others; when the connection fails, the whole batch fails.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Database } from '../db/client';
import { realtimeClient, realtimeSnapshot, realtimeUpdate } from '../db/schema/realtime';
import type { DataKeyring } from './encryption';
import { REALTIME_CHANNEL, storedNoticePrefix } from './fan-out';

/** At most this many rows, and about this many bytes, go into one group-commit batch. */
const MAX_BATCH_ROWS = 100;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

// The first half of a two-part advisory lock key, so compaction locks cannot collide with other features'.
const COMPACTION_LOCK_SPACE = 727_004;

function rowsOf<T>(result: unknown): T[] {
	if (Array.isArray(result)) return result as T[];
	return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function toBuffer(bytes: Uint8Array): Buffer {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface PendingAppend {
	document: string;
	keyId: string;
	data: Buffer;
	resolve(id: number): void;
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

interface Batch {
	appends: PendingAppend[];
	bytes: number;
	documents: Set<string>;
}

export class DocumentStorage {
	readonly #db: Database;
	readonly #keyring: DataKeyring;
	readonly #instanceId: string;
	/** Appends waiting for their commit, in batches of at most one row per document, oldest first. */
	#pending: Batch[] = [];
	#flushing = false;
	#flushScheduled = false;

	constructor(db: Database, keyring: DataKeyring, instanceId: string) {
		this.#db = db;
		this.#keyring = keyring;
		this.#instanceId = instanceId;
	}

	/** The stored state as a list of updates (snapshot first); apply them all to rebuild the document. */
	async load(document: string): Promise<{ updates: Uint8Array[]; lastUpdateId: number }> {
		const [snapshot] = await this.#db
			.select({ keyId: realtimeSnapshot.keyId, data: realtimeSnapshot.data })
			.from(realtimeSnapshot)
			.where(eq(realtimeSnapshot.document, document));
		const rows = await this.#db
			.select({ id: realtimeUpdate.id, keyId: realtimeUpdate.keyId, data: realtimeUpdate.data })
			.from(realtimeUpdate)
			.where(eq(realtimeUpdate.document, document))
			.orderBy(realtimeUpdate.id);
		const updates: Uint8Array[] = [];
		if (snapshot) updates.push(this.#keyring.open(snapshot, document, 'snapshot'));
		for (const row of rows) updates.push(this.#keyring.open(row, document, 'update'));
		return { updates, lastUpdateId: rows.at(-1)?.id ?? 0 };
	}

	/** One stored update, or null when a compaction has folded it into the snapshot already. */
	async readUpdate(document: string, id: number): Promise<Uint8Array | null> {
		const [row] = await this.#db
			.select({ keyId: realtimeUpdate.keyId, data: realtimeUpdate.data })
			.from(realtimeUpdate)
			.where(and(eq(realtimeUpdate.id, id), eq(realtimeUpdate.document, document)));
		return row ? this.#keyring.open(row, document, 'update') : null;
	}

	/**
	 * Stores an accepted update and, in the same statement, tells the other processes; resolves with its
	 * row id once committed (see "Group commit" in the header).
	 */
	append(document: string, update: Uint8Array): Promise<number> {
		const sealed = this.#keyring.seal(update, document, 'update');
		return new Promise<number>((resolve, reject) => {
			this.#enqueue({ document, keyId: sealed.keyId, data: toBuffer(sealed.data), resolve, reject });
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
		const ids = await this.#insert(
			changes.map(({ document, update }) => {
				const sealed = this.#keyring.seal(update, document, 'update');
				return { document, keyId: sealed.keyId, data: toBuffer(sealed.data) };
			})
		);
		return changes.map(({ document }) => {
			const id = ids.get(document);
			if (id === undefined) throw new Error('The stored update was not returned');
			return id;
		});
	}

	#enqueue(append: PendingAppend) {
		// The first batch with room after the last one holding this document's previous row.
		let index = this.#pending.findLastIndex((batch) => batch.documents.has(append.document)) + 1;
		while (
			index < this.#pending.length &&
			(this.#pending[index].appends.length >= MAX_BATCH_ROWS ||
				this.#pending[index].bytes + append.data.byteLength > MAX_BATCH_BYTES)
		) {
			index++;
		}
		if (index === this.#pending.length) this.#pending.push({ appends: [], bytes: 0, documents: new Set() });
		const batch = this.#pending[index];
		batch.appends.push(append);
		batch.bytes += append.data.byteLength;
		batch.documents.add(append.document);
		this.#scheduleFlush();
	}

	#scheduleFlush() {
		if (this.#flushing || this.#flushScheduled || this.#pending.length === 0) return;
		this.#flushScheduled = true;
		// After the current round of I/O callbacks, so that updates read from several sockets at once share a commit.
		setImmediate(() => {
			this.#flushScheduled = false;
			void this.#flush();
		});
	}

	async #flush() {
		if (this.#flushing) return;
		const batch = this.#pending.shift();
		if (!batch) return;
		this.#flushing = true;
		try {
			await this.#commit(batch.appends);
		} finally {
			this.#flushing = false;
			this.#scheduleFlush();
		}
	}

	/** Writes a batch; never rejects (each append's own promise carries its outcome). */
	async #commit(batch: PendingAppend[]) {
		let ids: Map<string, number>;
		try {
			ids = await this.#insert(batch);
		} catch (error) {
			if (batch.length === 1 || !isStatementError(error)) {
				// The database is unreachable or failing as a whole: retrying row by row would only wait longer.
				for (const append of batch) append.reject(error);
				return;
			}
			// PostgreSQL refused the statement, perhaps because of one row: the others are stored on their own.
			for (const append of batch) await this.#commit([append]);
			return;
		}
		for (const append of batch) {
			const id = ids.get(append.document);
			if (id === undefined) append.reject(new Error('The stored update was not returned'));
			else append.resolve(id);
		}
	}

	async #insert(batch: Pick<PendingAppend, 'document' | 'keyId' | 'data'>[]): Promise<Map<string, number>> {
		const rows = sql.join(
			batch.map(
				(append) =>
					sql`(${append.document}::text, ${append.keyId}::text, ${append.data}::bytea, ${storedNoticePrefix(this.#instanceId, append.document)}::text)`
			),
			sql`, `
		);
		const result = await this.#db.execute(sql`
			with batch (document, key_id, data, notice) as (values ${rows}),
			inserted as (
				insert into ${realtimeUpdate} (document, key_id, data)
				select document, key_id, data from batch
				returning id, document
			)
			select inserted.id, inserted.document, pg_notify(${REALTIME_CHANNEL}, batch.notice || inserted.id::text)
			from inserted join batch on batch.document = inserted.document`);
		const ids = new Map<string, number>();
		for (const row of rowsOf<{ id: number | string; document: string }>(result)) ids.set(row.document, Number(row.id));
		return ids;
	}

	async loadClientBindings(document: string): Promise<Map<number, string>> {
		const rows = await this.#db
			.select({ clientId: realtimeClient.clientId, userId: realtimeClient.userId })
			.from(realtimeClient)
			.where(eq(realtimeClient.document, document));
		return new Map(rows.map((row) => [row.clientId, row.userId]));
	}

	/**
	 * Binds the client ids to the user unless someone bound them first (another process may race us);
	 * returns who each id belongs to now.
	 */
	async bindClients(document: string, clientIds: number[], userId: string): Promise<Map<number, string>> {
		await this.#db
			.insert(realtimeClient)
			.values(clientIds.map((clientId) => ({ document, clientId, userId })))
			.onConflictDoNothing();
		const rows = await this.#db
			.select({ clientId: realtimeClient.clientId, userId: realtimeClient.userId })
			.from(realtimeClient)
			.where(and(eq(realtimeClient.document, document), inArray(realtimeClient.clientId, clientIds)));
		return new Map(rows.map((row) => [row.clientId, row.userId]));
	}

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
