// Runs once per Vitest run, in the main process, before any worker starts: one PostgreSQL server and one
// migrated template database for the whole run. Each test file then gets its own copy of the template
// (see vitest-setup-database.ts), which PostgreSQL makes by copying files, far faster than migrating.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrateDatabase, openDatabase } from '../../src/lib/server/db/client';
import type { TestPostgresContext } from './provided-context';
import { databaseUrl, quoteIdentifier, startTestPostgres } from './postgres.js';

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export default async function setup(project: TestProject) {
	const server = await startTestPostgres({ log: (message) => console.log(`[test postgres] ${message}`) });
	// A private server is ours alone; on a shared one (TEST_DATABASE_URL) names must not collide with
	// another run's, and everything this run made is dropped at the end.
	const runId = randomBytes(4).toString('hex');
	const context: TestPostgresContext = {
		adminUrl: server.adminUrl,
		templateDatabase: server.external ? `hearth_template_${runId}` : 'hearth_template',
		databasePrefix: `hearth_test_${runId}`
	};
	try {
		await withAdmin(context.adminUrl, (sql) =>
			sql.unsafe(`create database ${quoteIdentifier(context.templateDatabase)}`)
		);
		await migrateTemplate(context);
	} catch (error) {
		if (server.external) await dropRunDatabases(context).catch(() => {});
		await server.stop();
		throw error;
	}

	project.provide('hearthPostgres', context);
	// In watch mode a rerun may follow a new migration; applying pending ones to the template is cheap.
	project.onTestsRerun(() => migrateTemplate(context));

	return async () => {
		if (server.external) await dropRunDatabases(context);
		await server.stop();
	};
}

async function migrateTemplate(context: TestPostgresContext) {
	const connection = openDatabase({
		databaseUrl: databaseUrl(context.adminUrl, context.templateDatabase),
		// migrateDatabase holds one connection for its advisory lock while drizzle migrates on another.
		maxConnections: 2
	});
	try {
		await migrateDatabase(connection, migrationsFolder);
	} finally {
		// CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
		await connection.close();
	}
}

async function dropRunDatabases(context: TestPostgresContext) {
	await withAdmin(context.adminUrl, async (sql) => {
		const rows = await sql<{ datname: string }[]>`
			select datname from pg_database
			where datname = ${context.templateDatabase} or starts_with(datname, ${context.databasePrefix})`;
		for (const { datname } of rows) {
			await sql.unsafe(`drop database if exists ${quoteIdentifier(datname)} with (force)`);
		}
	});
}

async function withAdmin<T>(adminUrl: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
	const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		return await use(sql);
	} finally {
		await sql.end({ timeout: 5 });
	}
}
