// Upgrading from the versions of Hearth that embedded PGlite: the first start of the embedded PostgreSQL
// server copies <dataDir>/pglite into it, then renames that folder to pglite.migrated-<date> (kept, never
// deleted). PGlite is a dependency for this alone, and client.ts loads this module only when that folder exists.
//
// Both sides get the same migrations first, so they have the same tables and columns. Each table then
// travels in PostgreSQL's COPY text format, which carries every value exactly as stored (bytea as hex,
// timestamps to the microsecond), inside one transaction with foreign keys and triggers off (the
// audit log refuses changes, not inserts), so tables go in any order and a failure leaves nothing behind:
// the next start tries again. Sequences follow, so new ids continue after the copied ones.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { DatabaseConnection } from './client';

export interface PgliteImport {
	tables: number;
	rows: number;
	keptAs: string;
}

/** Copies every row of the PGlite database in `pgliteDir` into `connection`'s, then renames the folder. */
export async function importPgliteData(
	connection: DatabaseConnection,
	pgliteDir: string,
	migrationsFolder: string
): Promise<PgliteImport | undefined> {
	// Another process may have imported it while this one waited for the migrations lock.
	if (!fs.existsSync(pgliteDir)) return undefined;
	const source = new PGlite(pgliteDir);
	let rows = 0;
	let tables: string[];
	try {
		await migrate(drizzle(source), { migrationsFolder });
		tables = (await source.query<{ name: string }>(publicTablesQuery)).rows.map((row) => row.name);
		await connection.driver.begin(async (sql) => {
			await sql`set local session_replication_role = replica`;
			for (const table of tables) {
				const [{ count }] = await sql.unsafe<{ count: number }[]>(`select count(*)::int as count from ${table}`);
				if (count > 0) {
					throw new Error(
						`${pgliteDir} was not copied: ${table} in PostgreSQL already holds rows. Move the folder away to start without it.`
					);
				}
				const columns = await listColumns(source, table);
				const { blob, affectedRows } = await source.query(`copy ${table} (${columns}) to '/dev/blob'`);
				if (!affectedRows) continue;
				if (!blob) throw new Error(`PGlite gave no COPY output for ${table}`);
				const target = await sql.unsafe(`copy ${table} (${columns}) from stdin`).writable();
				await pipeline(Readable.from([Buffer.from(await blob.arrayBuffer())]), target);
				rows += affectedRows;
			}
			const sequences = await source.query<{ name: string; last_value: string | null }>(
				`select format('%I.%I', schemaname, sequencename) as name, last_value::text from pg_sequences where schemaname = 'public'`
			);
			for (const { name, last_value } of sequences.rows) {
				if (last_value !== null) await sql`select setval(${name}::regclass, ${last_value}::bigint)`;
			}
		});
	} finally {
		await source.close();
	}
	const dated = `${pgliteDir}.migrated-${new Date().toISOString().slice(0, 10)}`;
	const keptAs = fs.existsSync(dated) ? `${dated}-${Date.now()}` : dated;
	fs.renameSync(pgliteDir, keptAs);
	console.log(
		`Hearth copied its previous embedded database (PGlite, ${rows} rows in ${tables.length} tables) into PostgreSQL; the old folder is kept as ${keptAs}.`
	);
	return { tables: tables.length, rows, keptAs };
}

const publicTablesQuery = `
	select format('%I.%I', table_schema, table_name) as name from information_schema.tables
	where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;

async function listColumns(source: PGlite, table: string) {
	const { rows } = await source.query<{ columns: string }>(
		`select string_agg(format('%I', attname), ', ' order by attnum) as columns from pg_attribute
		 where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = ''`,
		[table]
	);
	return rows[0].columns;
}
