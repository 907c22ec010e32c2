// Databases for tests. Every test file already has its own, migrated, empty database before its first
// import runs (vitest-setup-database.ts sets DATABASE_URL), so `$lib/server/db` in app code points at it.
// These helpers are for what that does not cover: a second, separately opened connection (two server
// processes, LISTEN/NOTIFY), or a database a test wants to itself (empty, or freshly migrated).
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import type { SQL } from 'drizzle-orm';
import { openDatabase, type Database, type DatabaseConnection } from '$lib/server/db/client';
import type { TestPostgresContext } from './provided-context';
import { databaseUrl, quoteIdentifier } from './postgres.js';

export interface TestDatabase {
	name: string;
	url: string;
}

/**
 * Creates a database on the run's PostgreSQL server: a copy of the migrated template, or with
 * `{ migrated: false }` an empty one (for tests of migrations themselves). It lives until the run ends.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
	const { adminUrl, templateDatabase, databasePrefix }: TestPostgresContext = inject('hearthPostgres');
	const name = `${databasePrefix}_${randomBytes(6).toString('hex')}`;
	const template = options.migrated === false ? 'template0' : templateDatabase;
	const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		await sql.unsafe(`create database ${quoteIdentifier(name)} template ${quoteIdentifier(template)}`);
	} finally {
		await sql.end({ timeout: 5 });
	}
	return { name, url: databaseUrl(adminUrl, name) };
}

/** The URL of this test file's own database, the one `$lib/server/db` uses. */
export function getTestDatabaseUrl(): string {
	const url = process.env.DATABASE_URL;
	if (!url) throw new Error('DATABASE_URL is unset: is tests/support/vitest-setup-database.ts in setupFiles?');
	return url;
}

/**
 * Opens a new connection pool, separate from the app's, to this test file's database (or to
 * `databaseUrl`). The caller closes it.
 */
export function openTestDatabase(options: { databaseUrl?: string; maxConnections?: number } = {}): DatabaseConnection {
	return openDatabase({
		databaseUrl: options.databaseUrl ?? getTestDatabaseUrl(),
		maxConnections: options.maxConnections ?? 2
	});
}

/** Rows of a raw SQL query, typed. */
export async function selectRows<Row extends Record<string, unknown>>(db: Database, query: SQL): Promise<Row[]> {
	return (await db.execute(query)) as unknown as Row[];
}
