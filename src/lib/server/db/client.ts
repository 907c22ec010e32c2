import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { startEmbeddedPostgres } from './embedded';
import * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The rows of a raw `db.execute(sql…)`. */
export function rowsOf<T>(result: unknown): T[] {
	if (Array.isArray(result)) return result as T[];
	return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The raw driver beside drizzle, for what drizzle does not do (LISTEN/NOTIFY). */
export type DatabaseDriver = postgres.Sql;

export interface DatabaseConnection {
	/** Where it connects (with its password): for a library that opens its own pool (the job queue). Never log it. */
	url: string;
	db: Database;
	driver: DatabaseDriver;
	/** The previous version's PGlite folder, copied in by migrateDatabase when it is still there. */
	pgliteDataDir?: string;
	close(): Promise<void>;
}

const MIGRATIONS_LOCK = 727_001;
/** Where the versions of Hearth that embedded PGlite kept their data, inside the data directory. */
const PGLITE_FOLDER = 'pglite';
export const EMBEDDED_IDLE_SECONDS = 10;

/** Opens a pool of connections to the PostgreSQL server at `databaseUrl`. */
export function openDatabase(options: {
	databaseUrl: string;
	maxConnections?: number;
	/** Closes connections unused this long; the LISTEN connection stays. */
	idleTimeoutSeconds?: number;
}): DatabaseConnection {
	const client = postgres(options.databaseUrl, {
		max: options.maxConnections ?? 10,
		idle_timeout: options.idleTimeoutSeconds,
		onnotice: () => {}
	});
	return {
		url: options.databaseUrl,
		db: drizzle(client, { schema }) as unknown as Database,
		driver: client,
		close: () => client.end({ timeout: 5 })
	};
}

/**
 * Opens PostgreSQL at `databaseUrl`, or when there is none the embedded PostgreSQL server in `dataDir`
 * (embedded.ts), started by this process or joined when another Hearth already runs it.
 */
export async function openConfiguredDatabase(options: {
	databaseUrl: string | undefined;
	dataDir: string;
}): Promise<DatabaseConnection> {
	if (options.databaseUrl) return openDatabase({ databaseUrl: options.databaseUrl });
	const server = await startEmbeddedPostgres(options.dataDir);
	// Each open connection is a server process of its own (~10 MB): at rest only the LISTEN one remains.
	const connection = openDatabase({ databaseUrl: server.url, idleTimeoutSeconds: EMBEDDED_IDLE_SECONDS });
	const pgliteDataDir = path.join(options.dataDir, PGLITE_FOLDER);
	return {
		...connection,
		pgliteDataDir: fs.existsSync(pgliteDataDir) ? pgliteDataDir : undefined,
		async close() {
			await connection.close();
			await server.stop();
		}
	};
}

/**
 * Applies the migrations in `drizzle/`; safe when several processes start at once. On the embedded
 * server it then copies in the previous version's PGlite data, once (pglite-import.ts).
 */
export async function migrateDatabase(
	connection: DatabaseConnection,
	migrationsFolder = path.resolve('drizzle')
): Promise<void> {
	const reserved = await connection.driver.reserve();
	try {
		await reserved`select pg_advisory_lock(${MIGRATIONS_LOCK})`;
		await migrate(connection.db as never, { migrationsFolder });
		if (connection.pgliteDataDir) {
			// Loaded only then: PGlite is megabytes of memory that a process with nothing to import never needs.
			const { importPgliteData } = await import('./pglite-import');
			await importPgliteData(connection, connection.pgliteDataDir, migrationsFolder);
		}
	} finally {
		await reserved`select pg_advisory_unlock(${MIGRATIONS_LOCK})`;
		reserved.release();
	}
}
