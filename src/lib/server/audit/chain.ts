/*
 * The audit log is tamper-evident: every event carries the hash of the one before it (drizzle/0010,
 * set by a trigger as each event commits). Changing, removing or inserting an event anywhere breaks the
 * chain from there on. The hashes are recomputed here, in Hearth, from each event's canonical text (the
 * one SQL definition, `audit_event_text`), so a check does not rely on the database's own hashing.
 *
 * Someone who can rewrite the whole table could rewrite the whole chain too; the head hash a check
 * returns is what a practice records in its periodic review, so a rewritten past no longer matches it.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../db/client';

const PAGE = 5000;

export type ChainCheck =
	| { intact: true; events: number; head: string | null }
	/** `brokenAt`: the chain position of the first event that does not follow from the ones before it. */
	| { intact: false; events: number; brokenAt: number; eventId: number | null };

interface ChainRow {
	id: number;
	chain_seq: number | null;
	prev_hash: string | null;
	hash: string | null;
	text: string;
}

/**
 * Walks the whole chain from its first event; null when the database has no chain yet (not upgraded).
 * It never imports the app's pool: `npm run audit:verify` uses it too.
 */
export async function checkAuditChain(database: Database): Promise<ChainCheck | null> {
	if (!(await hasChain(database))) return null;
	let previous: string | null = null;
	let position = 0;
	for (;;) {
		const rows = rowsOf<ChainRow>(
			await database.execute(sql`
				select e.id, e.chain_seq, e.prev_hash, e.hash, audit_event_text(e) as text
				from audit_event e where e.chain_seq > ${position}
				order by e.chain_seq limit ${PAGE}`)
		);
		for (const row of rows) {
			position++;
			const expected: string = createHash('sha256')
				.update((previous ?? '') + row.text)
				.digest('hex');
			if (Number(row.chain_seq) !== position || row.prev_hash !== previous || row.hash !== expected) {
				return { intact: false, events: await countEvents(database), brokenAt: position, eventId: Number(row.id) };
			}
			previous = row.hash;
		}
		if (rows.length < PAGE) break;
	}
	const events = await countEvents(database);
	if (events === position) return { intact: true, events, head: previous };
	// An event outside the chain: written with the trigger turned off.
	const [outside] = rowsOf<{ id: number }>(
		await database.execute(sql`select id from audit_event where chain_seq is null order by id limit 1`)
	);
	return { intact: false, events, brokenAt: position + 1, eventId: outside ? Number(outside.id) : null };
}

/** Whether the database has been upgraded to a chained log (drizzle/0010) yet. */
async function hasChain(database: Database): Promise<boolean> {
	const [row] = rowsOf<{ chained: boolean }>(
		await database.execute(sql`select to_regproc('audit_event_text') is not null as chained`)
	);
	return row?.chained ?? false;
}

async function countEvents(database: Database): Promise<number> {
	const [row] = rowsOf<{ count: number }>(await database.execute(sql`select count(*)::int as count from audit_event`));
	return row?.count ?? 0;
}
