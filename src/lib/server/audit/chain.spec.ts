import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDatabase, selectRows } from '$test/database';
import { migrateDatabase, type Database } from '../db/client';
import { recordAudit } from '.';
import { checkAuditChain } from './chain';

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
	await Promise.all(opened.map((connection) => connection.close()));
});

/** A database of its own, so that tampering with it touches no other test. */
async function freshDatabase(): Promise<Database> {
	const { url } = await createTestDatabase();
	const connection = openTestDatabase({ databaseUrl: url });
	opened.push(connection);
	return connection.db;
}

/** Changes what the log holds the way someone with the database's owner rights could, bypassing Hearth. */
async function asTheOwner(db: Database, change: ReturnType<typeof sql>) {
	await db.transaction(async (tx) => {
		await tx.execute(sql`alter table audit_event disable trigger user`);
		await tx.execute(change);
		await tx.execute(sql`alter table audit_event enable trigger user`);
	});
}

async function recordSome(db: Database, count: number) {
	await Promise.all(
		Array.from({ length: count }, (_, index) =>
			index % 3 === 0
				? db.transaction((tx) =>
						recordAudit({ action: 'group.created', actorId: `u${index}`, groupId: `g${index}` }, tx as never)
					)
				: recordAudit({ action: 'auth.sign_in', actorId: `u${index}`, detail: { n: index } }, db)
		)
	);
}

describe('the audit chain', () => {
	it('links every event to the one before, however many are written at once', async () => {
		const db = await freshDatabase();
		await recordSome(db, 40);
		const first = await checkAuditChain(db);
		expect(first).toMatchObject({ intact: true, events: 40, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
		const rows = await selectRows<{ chain_seq: number }>(db, sql`select chain_seq from audit_event order by chain_seq`);
		expect(rows.map((row) => Number(row.chain_seq))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
		// The head hash a practice notes stays the same until the next event.
		expect(await checkAuditChain(db)).toEqual(first);
		await recordSome(db, 1);
		const later = await checkAuditChain(db);
		expect(later).toMatchObject({ intact: true, events: 41 });
		expect(later).not.toMatchObject({ head: (first as { head: string }).head });
	});

	it('cannot be changed through Hearth at all: the append-only rule still holds', async () => {
		const db = await freshDatabase();
		await recordSome(db, 3);
		await expect(
			db.execute(sql`update audit_event set action = 'auth.sign_out' where chain_seq = 2`)
		).rejects.toThrow();
		await expect(db.execute(sql`delete from audit_event where chain_seq = 2`)).rejects.toThrow();
	});

	it('shows where the database owner changed an event', async () => {
		const changed = await freshDatabase();
		await recordSome(changed, 10);
		await asTheOwner(changed, sql`update audit_event set detail = '{"n": 99}' where chain_seq = 4`);
		expect(await checkAuditChain(changed)).toMatchObject({ intact: false, brokenAt: 4 });
	});

	it('shows where the database owner removed an event', async () => {
		const removed = await freshDatabase();
		await recordSome(removed, 10);
		await asTheOwner(removed, sql`delete from audit_event where chain_seq = 7`);
		expect(await checkAuditChain(removed)).toMatchObject({ intact: false, brokenAt: 7 });
	});

	it('shows an event slipped in past the chain', async () => {
		const slipped = await freshDatabase();
		await recordSome(slipped, 5);
		await asTheOwner(slipped, sql`insert into audit_event (action, actor_id) values ('auth.sign_in', 'someone')`);
		expect(await checkAuditChain(slipped)).toMatchObject({ intact: false, brokenAt: 6, events: 6 });
	});

	it('shows a changed event even when it was given a fresh hash', async () => {
		const rehashedOne = await freshDatabase();
		await recordSome(rehashedOne, 6);
		// The fresh hash fits the changed event, but the next event still links to the old one.
		await asTheOwner(rehashedOne, sql`update audit_event set detail = '{"n": 999}' where chain_seq = 3`);
		await asTheOwner(
			rehashedOne,
			sql`update audit_event e
				set hash = encode(sha256(convert_to(coalesce(prev_hash, '') || audit_event_text(e), 'UTF8')), 'hex')
				where chain_seq = 3`
		);
		expect(await checkAuditChain(rehashedOne)).toMatchObject({ intact: false, brokenAt: 4 });
	});

	it('is built over the events a database already held when it is upgraded', async () => {
		const { url } = await createTestDatabase({ migrated: false });
		const connection = openTestDatabase({ databaseUrl: url });
		opened.push(connection);
		// The migrations as they were before the chain: the journal without it and what follows.
		const before = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-migrations-'));
		fs.cpSync(path.resolve('drizzle'), before, { recursive: true });
		const journalPath = path.join(before, 'meta/_journal.json');
		const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
		const chainAt = journal.entries.findIndex((entry: { tag: string }) => entry.tag.endsWith('_audit_chain'));
		journal.entries = journal.entries.slice(0, chainAt);
		fs.writeFileSync(journalPath, JSON.stringify(journal));
		await migrateDatabase(connection, before);
		for (let index = 0; index < 5; index++) {
			await connection.db.execute(
				sql`insert into audit_event (action, actor_id, detail) values ('auth.sign_in', ${`u${index}`}, ${JSON.stringify({ n: index })}::jsonb)`
			);
		}
		await migrateDatabase(connection);
		await recordAudit({ action: 'auth.sign_out', actorId: 'u9' }, connection.db);
		expect(await checkAuditChain(connection.db)).toMatchObject({ intact: true, events: 6 });
		fs.rmSync(before, { recursive: true, force: true });
	});
});
