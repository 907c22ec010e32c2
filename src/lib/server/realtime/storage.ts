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
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Database } from '../db/client';
import { realtimeClient, realtimeSnapshot, realtimeUpdate } from '../db/schema/realtime';
import type { DataKeyring } from './encryption';
import { REALTIME_CHANNEL, storedNoticePrefix } from './fan-out';

// The first half of a two-part advisory lock key, so compaction locks cannot collide with other features'.
const COMPACTION_LOCK_SPACE = 727_004;

function rowsOf<T>(result: unknown): T[] {
	if (Array.isArray(result)) return result as T[];
	return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function toBuffer(bytes: Uint8Array): Buffer {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class DocumentStorage {
	readonly #db: Database;
	readonly #keyring: DataKeyring;
	readonly #instanceId: string;

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

	/** Stores an accepted update and, in the same statement, tells the other processes; resolves once committed. */
	async append(document: string, update: Uint8Array): Promise<number> {
		const sealed = this.#keyring.seal(update, document, 'update');
		const result = await this.#db.execute(sql`
			with inserted as (
				insert into ${realtimeUpdate} (document, key_id, data)
				values (${document}, ${sealed.keyId}, ${toBuffer(sealed.data)})
				returning id
			)
			select id, pg_notify(${REALTIME_CHANNEL}, ${storedNoticePrefix(this.#instanceId, document)} || id::text)
			from inserted`);
		const [row] = rowsOf<{ id: number | string }>(result);
		return Number(row.id);
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
