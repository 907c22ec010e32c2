import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterEach, expect, it, vi } from 'vitest';
import { migrateDatabase, openConfiguredDatabase } from './client';
import { generateId } from './ids';
import { auditEvent, realtimeSnapshot, realtimeUpdate, session, user } from './schema';

const migrationsFolder = path.resolve('drizzle');
// A PGlite start with migrations, a cluster created and the copy: ~20 s quiet, several times that loaded.
const BUDGET = { timeout: 240_000 };

const dataDirs: string[] = [];
afterEach(() => {
	for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
	vi.restoreAllMocks();
});

type RunQuery = (query: string) => Promise<Record<string, unknown>[]>;

/** Every table's row count and a digest of its rows as PostgreSQL prints them (bytea in hex, timestamps to the microsecond). */
async function readContents(run: RunQuery) {
	await run(`set timezone = 'UTC'`);
	const tables = await run(
		`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`
	);
	const contents: Record<string, string> = {};
	for (const { table_name } of tables) {
		const [row] = await run(
			`select count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '') as rows from public."${table_name}" t`
		);
		contents[String(table_name)] = String(row.rows);
	}
	return contents;
}

/** A database as the previous version of Hearth left it: PGlite in <dataDir>/pglite, with rows. */
async function writePreviousVersionData(dataDir: string) {
	const pglite = new PGlite(path.join(dataDir, 'pglite'));
	const db = drizzle(pglite);
	await migrate(db, { migrationsFolder });
	const person = {
		id: generateId(),
		email: 'robin@example.org',
		displayName: 'Robin',
		passwordHash: 'hash',
		role: 'staff' as const
	};
	await db.insert(user).values(person);
	const now = new Date();
	await db
		.insert(session)
		.values({
			id: generateId(),
			userId: person.id,
			createdAt: now,
			lastSeenAt: now,
			expiresAt: new Date('2030-01-01T00:00:00Z')
		});
	await db.insert(auditEvent).values([
		{ actorId: person.id, action: 'user.created', detail: { version: 1, note: 'ä ✓ "quoted"' } },
		{ actorId: null, action: 'sign_in.failed', detail: null }
	]);
	// Every byte value, and noise: stored documents are ciphertext and must come back byte for byte.
	const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
	const updates = [allBytes, randomBytes(64 * 1024), Buffer.alloc(0), Buffer.from('\\x00\n\t')];
	await db.insert(realtimeUpdate).values(updates.map((data) => ({ document: 'group:a', keyId: 'k1', data })));
	await db.insert(realtimeSnapshot).values({ document: 'group:a', keyId: 'k1', data: randomBytes(4096) });
	const contents = await readContents(async (query) => (await pglite.query<Record<string, unknown>>(query)).rows);
	await pglite.close();
	return { updates, contents };
}

it('copies every row of the previous PGlite database into the embedded PostgreSQL, unchanged', BUDGET, async () => {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-upgrade-'));
	fs.chmodSync(dataDir, 0o755);
	dataDirs.push(dataDir);
	const before = await writePreviousVersionData(dataDir);
	const said = vi.spyOn(console, 'log').mockImplementation(() => {});

	const connection = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
	try {
		await migrateDatabase(connection);

		expect(await readContents((query) => connection.driver.unsafe(query))).toEqual(before.contents);
		expect(Object.values(before.contents).filter((rows) => !rows.startsWith('0:')).length).toBeGreaterThanOrEqual(5);
		const stored = await connection.db.select().from(realtimeUpdate).orderBy(realtimeUpdate.id);
		expect(stored.map((row) => Buffer.from(row.data))).toEqual(before.updates);
		// New rows continue after the copied ones.
		const [next] = await connection.db
			.insert(realtimeUpdate)
			.values({ document: 'group:a', keyId: 'k1', data: Buffer.from([1]) })
			.returning();
		expect(next.id).toBeGreaterThan(stored.at(-1)!.id);

		const folders = fs.readdirSync(dataDir);
		expect(folders).not.toContain('pglite');
		expect(folders.filter((name) => name.startsWith('pglite.migrated-'))).toHaveLength(1);
		expect(said.mock.calls.flat().join('\n')).toMatch(
			/copied its previous embedded database .* kept as .*pglite\.migrated-/
		);
	} finally {
		await connection.close();
	}

	// The next start finds nothing to copy and keeps what is there.
	const reopened = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
	try {
		expect(reopened.pgliteDataDir).toBeUndefined();
		await migrateDatabase(reopened);
		expect(await reopened.db.$count(realtimeUpdate)).toBe(before.updates.length + 1);
	} finally {
		await reopened.close();
	}
});
