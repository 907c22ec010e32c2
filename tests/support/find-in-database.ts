// Where a text is stored, anywhere: the privacy tests' search (redaction, account deletion) for words that
// must be gone from every row of every table and from every stored document once decrypted.
import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { connection } from '$lib/server/db';
import { DocumentStorage } from '$lib/server/realtime/storage';
import { testKeyring } from './realtime';

/**
 * Every place `text` appears in the database: every row of every table (listed from
 * information_schema, so a table added later is searched too), plus every realtime update and
 * snapshot decrypted with the storage module.
 */
export async function findInDatabase(text: string): Promise<string[]> {
	const needle = Buffer.from(text);
	const found: string[] = [];
	const tables = rowsOf<{ table_schema: string; table_name: string }>(
		await connection.db.execute(sql`
			select table_schema, table_name from information_schema.tables
			where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`)
	);
	expect(tables.map((table) => table.table_name)).toEqual(
		expect.arrayContaining(['realtime_update', 'audit_event', 'moderation_flag'])
	);
	for (const table of tables) {
		const rows = rowsOf<Record<string, unknown>>(
			await connection.db.execute(sql.raw(`select * from "${table.table_schema}"."${table.table_name}"`))
		);
		for (const row of rows) {
			for (const [column, value] of Object.entries(row)) {
				const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(JSON.stringify(value) ?? '');
				if (bytes.includes(needle)) found.push(`${table.table_name}.${column}`);
			}
		}
	}
	const documents = rowsOf<{ document: string }>(
		await connection.db.execute(sql`select document from realtime_update union select document from realtime_snapshot`)
	);
	const storage = new DocumentStorage(connection.db, testKeyring, 'test-reader');
	for (const { document } of documents) {
		const { updates } = await storage.load(document);
		if (updates.some((update) => Buffer.from(update).includes(needle))) found.push(`document ${document}`);
	}
	return found;
}

function rowsOf<T>(result: unknown): T[] {
	if (Array.isArray(result)) return result as T[];
	return ((result as { rows?: T[] }).rows ?? []) as T[];
}
