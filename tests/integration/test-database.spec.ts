// The test infrastructure's own promise: app code imported by a test file talks to that file's private,
// migrated database, and nothing of the developer's environment leaks in.
import { sql } from 'drizzle-orm';
import { afterAll, expect, inject, it } from 'vitest';
import { getConfig } from '$lib/server/config';
import { connection } from '$lib/server/db';
import { user } from '$lib/server/db/schema';
import { getTestDatabaseUrl, openTestDatabase, selectRows } from '$test/database';

afterAll(() => connection.close());

it("points the app's configuration at this file's database", () => {
	expect(getConfig().databaseUrl).toBe(getTestDatabaseUrl());
});

it("connects the app's pool to a database of this run, not the template", async () => {
	const [{ name }] = await selectRows<{ name: string }>(connection.db, sql`select current_database() as name`);

	expect(name.startsWith(`${inject('hearthPostgres').databasePrefix}_`)).toBe(true);
	expect(name).not.toBe(inject('hearthPostgres').templateDatabase);
});

it('starts with an empty, migrated schema', async () => {
	expect(await connection.db.$count(user)).toBe(0);
});

it('lets a second pool see what the app wrote', async () => {
	const other = openTestDatabase();
	try {
		await connection.db.insert(user).values({
			id: 'u1',
			email: 'robin@example.org',
			displayName: 'Robin',
			passwordHash: 'x',
			role: 'member'
		});
		expect(await other.db.$count(user)).toBe(1);
	} finally {
		await other.close();
	}
});
