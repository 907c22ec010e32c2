// A wrong data key cannot damage data: a process whose keys cannot open what the database holds refuses
// to start (saying what to do, naming no key), rotation and the generated embedded key still start, and
// a document whose rows no key here opens closes with 4422 ("will not work"), not 4500 ("try again").
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { groupDocumentName } from '$lib/board/document-names';
import { connection } from '$lib/server/db';
import { generateId } from '$lib/server/db/ids';
import { practiceSetting } from '$lib/server/db/schema';
import { realtimeSnapshot, realtimeUpdate } from '$lib/server/db/schema/realtime';
import { DataKeyring, loadDataKeyring } from './encryption';
import { RefusedToStartError, checkDataKeyring } from './key-check';
import { CloseCode } from './protocol';
import { DocumentStorage } from './storage';
import {
	TEST_DATA_KEY,
	TestClient,
	TestGroups,
	createPerson,
	spawnChildServer,
	startTestServer,
	testKeyring
} from '$test/realtime';

const db = connection.db;
const wrongKey = randomBytes(32).toString('base64');

afterAll(async () => {
	await connection.close();
});

function someUpdate(): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('posts').set('note', 'kept under the right key');
	return Y.encodeStateAsUpdate(doc);
}

async function countRows(): Promise<number> {
	const updates = await db.select({ id: realtimeUpdate.id }).from(realtimeUpdate);
	const snapshots = await db.select({ document: realtimeSnapshot.document }).from(realtimeSnapshot);
	return updates.length + snapshots.length;
}

async function resetStorage() {
	await db.delete(realtimeUpdate);
	await db.delete(realtimeSnapshot);
	await db.delete(practiceSetting).where(eq(practiceSetting.key, 'data_key_check'));
}

describe('starting with a wrong HEARTH_DATA_KEY', () => {
	beforeAll(resetStorage);

	it(
		'refuses to start against a database with rows, saying what to do and naming no key',
		{ timeout: 120_000 },
		async () => {
			await new DocumentStorage(db, testKeyring, 'test').append(groupDocumentName(generateId()), someUpdate());
			const rowsBefore = await countRows();

			const refusal = await spawnChildServer({ dataKey: wrongKey }).then(
				() => null,
				(error: Error) => error.message
			);
			expect(refusal).toMatch(/data keys? cannot open what this database holds/);
			expect(refusal).toMatch(/HEARTH_DATA_KEYS_PREVIOUS/);
			expect(refusal).not.toContain(wrongKey);
			expect(refusal).not.toContain(TEST_DATA_KEY);
			expect(await countRows()).toBe(rowsBefore);

			// The right key still starts, and the refusal changed nothing it needs.
			const child = await spawnChildServer();
			await child.stop();
		}
	);
});

describe('a database with no documents yet', () => {
	beforeAll(resetStorage);

	it(
		'cannot be written with a key that does not match the check stored on the first start',
		{ timeout: 120_000 },
		async () => {
			const first = await spawnChildServer();
			await first.stop();
			expect(await countRows()).toBe(0);
			const [check] = await db.select().from(practiceSetting).where(eq(practiceSetting.key, 'data_key_check'));
			expect(check.value).toMatchObject({ keyId: testKeyring.currentKeyId });

			const refusal = await spawnChildServer({ dataKey: wrongKey }).then(
				() => null,
				(error: Error) => error.message
			);
			expect(refusal).toMatch(/data key does not match this database/);
			expect(refusal).not.toContain(wrongKey);
			// Not one row sealed with the wrong key, and the check still belongs to the right one.
			expect(await countRows()).toBe(0);
			const [after] = await db.select().from(practiceSetting).where(eq(practiceSetting.key, 'data_key_check'));
			expect(after.value).toEqual(check.value);

			// In-process too: the check refuses before any server exists to take a write.
			await expect(checkDataKeyring(db, new DataKeyring(Buffer.from(wrongKey, 'base64')))).rejects.toBeInstanceOf(
				RefusedToStartError
			);
		}
	);
});

describe('keys that should work', () => {
	beforeAll(resetStorage);

	it('rotation: the new key with the old one as previous starts; the old one may go once compaction re-sealed', async () => {
		const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
		const oldKeyring = new DataKeyring(oldKey);
		const rotating = new DataKeyring(newKey, [oldKey]);
		const document = groupDocumentName(generateId());
		await checkDataKeyring(db, oldKeyring);
		await new DocumentStorage(db, oldKeyring, 'test').append(document, someUpdate());

		// Forgetting the old key during the rotation is refused.
		await expect(checkDataKeyring(db, new DataKeyring(newKey))).rejects.toThrow(/HEARTH_DATA_KEYS_PREVIOUS/);

		await checkDataKeyring(db, rotating);
		const [check] = await db.select().from(practiceSetting).where(eq(practiceSetting.key, 'data_key_check'));
		expect(check.value).toMatchObject({ keyId: rotating.currentKeyId });
		await new DocumentStorage(db, rotating, 'test').compact(document);

		await expect(checkDataKeyring(db, new DataKeyring(newKey))).resolves.toBeUndefined();
	});

	it('a key generated for the embedded default works on the first start and after a restart', async () => {
		await resetStorage();
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-key-'));
		try {
			const settings = {
				dataKey: undefined,
				previousDataKeys: [],
				databaseUrl: undefined,
				dataDir,
				environment: 'development' as const
			};
			const generated = loadDataKeyring(settings, () => {});
			await expect(checkDataKeyring(db, generated)).resolves.toBeUndefined();
			await new DocumentStorage(db, generated, 'test').append(groupDocumentName(generateId()), someUpdate());
			const restarted = loadDataKeyring(settings, () => {});
			expect(restarted.currentKeyId).toBe(generated.currentKeyId);
			await expect(checkDataKeyring(db, restarted)).resolves.toBeUndefined();
		} finally {
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	});
});

describe('a document sealed with a key the server does not have', () => {
	it('closes with 4422 (will not work), not 4500 (try again)', { timeout: 60_000 }, async () => {
		await resetStorage();
		const groups = new TestGroups();
		const robin = await createPerson('Robin', 'staff');
		const groupId = await groups.createGroup(robin);
		const server = await startTestServer({ groups });
		try {
			await new DocumentStorage(db, new DataKeyring(randomBytes(32)), 'foreign').append(
				groupDocumentName(groupId),
				someUpdate()
			);
			const client = new TestClient(server, groupDocumentName(groupId), { person: robin });
			expect(await client.waitForClose()).toBe(CloseCode.unreadable);
			client.destroy();
		} finally {
			await server.close();
		}
	});
});
