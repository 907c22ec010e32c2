/*
 * Start-up check that this process's data keys open what the database holds, before anything is served.
 *
 * Started with a wrong HEARTH_DATA_KEY, Hearth used to serve pages whose boards could never load, and it
 * sealed new documents with the wrong key: content that became unreadable once the right key was back.
 * Two things are checked, and Hearth refuses to start (RefusedToStartError) if either fails:
 *
 *   the check value   practice_setting `data_key_check` = { keyId, sealed (base64) }: a fixed text sealed
 *                     with the current key on the first start (purpose `check`). It covers a database
 *                     with no documents yet, where no stored row could tell a wrong key from a right one.
 *                     Sealed with a previous key (a rotation), it is re-sealed with the current one.
 *   stored rows       one realtime_snapshot, one realtime_update and one second_factor row per distinct key id
 *                     must open:
 *                     this catches a previous key dropped while rows still need it, and databases that
 *                     had documents before the check value existed.
 *
 * Two processes starting at once on an empty database both try to write the check value; the first
 * wins and the other opens it, so a process with a different key refuses rather than forks the data.
 * Messages name key ids (derived fingerprints, see encryption.ts), never key material.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { practiceSetting, secondFactor } from '../db/schema';
import { realtimeSnapshot, realtimeUpdate } from '../db/schema/realtime';
import { secondFactorDocument, UnreadableDataError, type DataKeyring, type SealPurpose } from './encryption';

/** Hearth must not serve: the message says what the operator should do. */
export class RefusedToStartError extends Error {
	override name = 'HearthRefusedToStart';
}

const CHECK_KEY = 'data_key_check';
const CHECK_DOCUMENT = 'hearth:data-key-check';
const CHECK_TEXT = new TextEncoder().encode('Hearth data key check v1');

type StoredCheck = { keyId: string; sealed: string };

function isStoredCheck(value: unknown): value is StoredCheck {
	const check = value as StoredCheck | null;
	return typeof check?.keyId === 'string' && typeof check?.sealed === 'string';
}

const WHAT_TO_DO =
	'Start Hearth with the key this database was sealed with (HEARTH_DATA_KEY as backed up; for the embedded ' +
	'database without HEARTH_DATA_KEY, the file realtime-data-key in the data directory). To rotate, set the new ' +
	'key as HEARTH_DATA_KEY and the old one in HEARTH_DATA_KEYS_PREVIOUS. Nothing was changed.';

/** Throws RefusedToStartError unless the keyring opens the check value and every key id of the stored rows. */
export async function checkDataKeyring(db: Database, keyring: DataKeyring): Promise<void> {
	await checkStoredRows(db, keyring);
	await checkCheckValue(db, keyring);
}

async function checkCheckValue(db: Database, keyring: DataKeyring): Promise<void> {
	let stored = await readCheck(db);
	if (!stored) {
		const sealed = keyring.seal(CHECK_TEXT, CHECK_DOCUMENT, 'check');
		const value: StoredCheck = { keyId: sealed.keyId, sealed: Buffer.from(sealed.data).toString('base64') };
		await db.insert(practiceSetting).values({ key: CHECK_KEY, value }).onConflictDoNothing();
		stored = await readCheck(db);
	}
	if (!stored || !opens(keyring, stored)) {
		throw new RefusedToStartError(
			`Hearth's data key does not match this database: its content was sealed with a key this server does ` +
				`not have (key id ${stored?.keyId ?? 'unknown'}). ${WHAT_TO_DO}`
		);
	}
	if (stored.keyId !== keyring.currentKeyId) {
		const sealed = keyring.seal(CHECK_TEXT, CHECK_DOCUMENT, 'check');
		const value: StoredCheck = { keyId: sealed.keyId, sealed: Buffer.from(sealed.data).toString('base64') };
		await db.update(practiceSetting).set({ value, updatedAt: new Date() }).where(eq(practiceSetting.key, CHECK_KEY));
	}
}

async function readCheck(db: Database): Promise<StoredCheck | null> {
	const [row] = await db
		.select({ value: practiceSetting.value })
		.from(practiceSetting)
		.where(eq(practiceSetting.key, CHECK_KEY));
	return row && isStoredCheck(row.value) ? row.value : null;
}

function opens(keyring: DataKeyring, stored: StoredCheck): boolean {
	try {
		const plain = keyring.open(
			{ keyId: stored.keyId, data: Buffer.from(stored.sealed, 'base64') },
			CHECK_DOCUMENT,
			'check'
		);
		return Buffer.from(plain).equals(Buffer.from(CHECK_TEXT));
	} catch (error) {
		if (error instanceof UnreadableDataError) return false;
		throw error;
	}
}

async function checkStoredRows(db: Database, keyring: DataKeyring): Promise<void> {
	const unreadable = new Set<string>();
	for (const [table, purpose] of [
		[realtimeSnapshot, 'snapshot'],
		[realtimeUpdate, 'update']
	] as const) {
		// Listing the key ids reads no `data`: only one row per key id is fetched and opened.
		const keyIds = await db.selectDistinct({ keyId: table.keyId }).from(table);
		for (const { keyId } of keyIds) {
			const [row] = await db
				.select({ document: table.document, keyId: table.keyId, data: table.data })
				.from(table)
				.where(eq(table.keyId, keyId))
				.limit(1);
			if (row && !opensRow(keyring, row, purpose)) unreadable.add(keyId);
		}
	}
	// Second-factor secrets: one per key id, like the rows above, or staff could not sign in after a restart.
	const factorKeyIds = await db.selectDistinct({ keyId: secondFactor.keyId }).from(secondFactor);
	for (const { keyId } of factorKeyIds) {
		const [row] = await db
			.select({ userId: secondFactor.userId, keyId: secondFactor.keyId, data: secondFactor.secret })
			.from(secondFactor)
			.where(eq(secondFactor.keyId, keyId))
			.limit(1);
		if (
			row &&
			!opensRow(
				keyring,
				{ document: secondFactorDocument(row.userId), keyId: row.keyId, data: row.data },
				'second-factor'
			)
		) {
			unreadable.add(keyId);
		}
	}
	if (unreadable.size === 0) return;
	throw new RefusedToStartError(
		`Hearth's data keys cannot open what this database holds: stored board content or second-factor secrets ` +
			`were sealed with key id ` +
			`${[...unreadable].join(', ')}, which this server does not have. ${WHAT_TO_DO}`
	);
}

function opensRow(
	keyring: DataKeyring,
	row: { document: string; keyId: string; data: Uint8Array },
	purpose: SealPurpose
): boolean {
	try {
		keyring.open(row, row.document, purpose);
		return true;
	} catch (error) {
		if (error instanceof UnreadableDataError) return false;
		throw error;
	}
}
