// Runs in the worker before each test file is imported: gives the file a fresh copy of the migrated
// template database and points the app's configuration at it. It must run before the test's imports,
// because `$lib/server/db` opens its pool when first imported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createTestDatabase } from './database';

const database = await createTestDatabase();
process.env.DATABASE_URL = database.url;
// With a database URL nothing should write here; if something does, it is not the developer's data/.
const dataDir = path.join(os.tmpdir(), `hearth-data-${database.name}`);
process.env.HEARTH_DATA_DIR = dataDir;

afterAll(() => {
	fs.rmSync(dataDir, { recursive: true, force: true });
});
