import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The raw driver beside drizzle, for what drizzle does not do (LISTEN/NOTIFY). */
export type DatabaseDriver =
	| { kind: 'pglite'; client: PGlite }
	| { kind: 'postgres'; client: postgres.Sql };

export interface DatabaseConnection {
	db: Database;
	driver: DatabaseDriver;
	close(): Promise<void>;
}

const MIGRATIONS_LOCK = 727_001;

/**
 * Opens PostgreSQL at `databaseUrl`, or embedded PGlite with its files in `dataDir` when there is none.
 * Both speak the same SQL, so one schema and one set of migrations serve both.
 */
export function openDatabase(options: {
	databaseUrl?: string;
	dataDir: string;
	maxConnections?: number;
}): DatabaseConnection {
	if (options.databaseUrl) {
		const client = postgres(options.databaseUrl, {
			max: options.maxConnections ?? 10,
			onnotice: () => {}
		});
		return {
			db: drizzlePostgres(client, { schema }) as unknown as Database,
			driver: { kind: 'postgres', client },
			close: () => client.end({ timeout: 5 })
		};
	}
	const dir = path.join(options.dataDir, 'pglite');
	fs.mkdirSync(dir, { recursive: true });
	const client = new PGlite(dir);
	return {
		db: drizzlePglite(client, { schema }) as unknown as Database,
		driver: { kind: 'pglite', client },
		close: () => client.close()
	};
}

/** Applies the migrations in `drizzle/`; safe when several processes start at once. */
export async function migrateDatabase(
	connection: DatabaseConnection,
	migrationsFolder = path.resolve('drizzle')
): Promise<void> {
	const { driver } = connection;
	if (driver.kind === 'pglite') {
		await migratePglite(connection.db as never, { migrationsFolder });
		return;
	}
	const reserved = await driver.client.reserve();
	try {
		await reserved`select pg_advisory_lock(${MIGRATIONS_LOCK})`;
		await migratePostgres(connection.db as never, { migrationsFolder });
	} finally {
		await reserved`select pg_advisory_unlock(${MIGRATIONS_LOCK})`;
		reserved.release();
	}
}
