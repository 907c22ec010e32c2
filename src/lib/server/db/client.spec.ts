import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDatabase, selectRows } from '$test/database';
import { migrateDatabase, type Database, type DatabaseConnection } from './client';
import { generateId } from './ids';
import { user } from './schema';

const journal: { entries: { tag: string }[] } = JSON.parse(
	fs.readFileSync(path.resolve('drizzle/meta/_journal.json'), 'utf8')
);
const schemaTables = ['login_failure', 'session', 'user'];

const opened: DatabaseConnection[] = [];
function track(connection: DatabaseConnection) {
	opened.push(connection);
	return connection;
}
afterEach(async () => {
	await Promise.all(opened.splice(0).map((connection) => connection.close()));
});

async function countAppliedMigrations(db: Database) {
	const [row] = await selectRows<{ count: number }>(
		db,
		sql`select count(*)::int as count from drizzle.__drizzle_migrations`
	);
	return row.count;
}

async function listTables(db: Database) {
	const rows = await selectRows<{ table_name: string }>(
		db,
		sql`select table_name from information_schema.tables where table_schema = 'public'`
	);
	return rows.map((row) => row.table_name);
}

function newUser() {
	return {
		id: generateId(),
		email: `${generateId()}@example.org`,
		displayName: 'Robin Facilitator',
		passwordHash: 'not-a-real-hash',
		role: 'staff' as const
	};
}

describe('on a PostgreSQL server', () => {
	it('gives each test file a database with every migration applied', async () => {
		const { db } = track(openTestDatabase());

		expect(await countAppliedMigrations(db)).toBe(journal.entries.length);
		expect(await listTables(db)).toEqual(expect.arrayContaining(schemaTables));
	});

	it('stores a user and reads it back unchanged', async () => {
		const { db } = track(openTestDatabase());
		const row = newUser();

		await db.insert(user).values(row);
		const [stored] = await db.select().from(user).where(eq(user.id, row.id));

		expect(stored).toMatchObject(row);
		expect(stored.createdAt).toBeInstanceOf(Date);
	});

	it('migrates once when two processes start at the same time', async () => {
		const { url } = await createTestDatabase({ migrated: false });
		const first = track(openTestDatabase({ databaseUrl: url }));
		const second = track(openTestDatabase({ databaseUrl: url }));

		await Promise.all([migrateDatabase(first), migrateDatabase(second)]);

		expect(await countAppliedMigrations(first.db)).toBe(journal.entries.length);
		expect(await listTables(second.db)).toEqual(expect.arrayContaining(schemaTables));
	});
});
