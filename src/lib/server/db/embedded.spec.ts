import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { selectRows } from '$test/database';
import { migrateDatabase, openConfiguredDatabase } from './client';
import { embeddedFiles, startEmbeddedPostgres } from './embedded';
import { generateId } from './ids';
import { user } from './schema';

// Each test creates a cluster (initdb, ~1.5 s) and starts it more than once; a loaded machine is slower.
const BUDGET = { timeout: 120_000 };

const dataDirs: string[] = [];
function makeDataDir() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-embedded-'));
	// As root the server runs as the postgres user, which must be able to enter it.
	fs.chmodSync(dir, 0o755);
	dataDirs.push(dir);
	return dir;
}
afterEach(() => {
	for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function newUser() {
	const id = generateId();
	return {
		id,
		email: `${id}@example.org`,
		displayName: 'Robin',
		passwordHash: 'not-a-real-hash',
		role: 'staff' as const
	};
}

function readPostmasterPid(dataDir: string) {
	const file = path.join(embeddedFiles(dataDir).cluster, 'postmaster.pid');
	return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

/** Starts the embedded server in another Node process, as `npm start` would, and returns that process. */
async function startInOtherProcess(dataDir: string) {
	const module = path.resolve('src/lib/server/db/embedded.ts');
	const child = spawn(
		process.execPath,
		[
			'--input-type=module',
			'-e',
			`const m = await import(${JSON.stringify(module)}); await m.startEmbeddedPostgres(${JSON.stringify(dataDir)}); console.log('ready'); setInterval(() => {}, 1000);`
		],
		{ stdio: ['ignore', 'pipe', 'inherit'] }
	);
	await new Promise<void>((resolve, reject) => {
		child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
		child.on('exit', (code) => reject(new Error(`the other process exited (${code})`)));
	});
	return child;
}

describe('the embedded PostgreSQL server', () => {
	it('keeps its data across a restart and stops with its owner', BUDGET, async () => {
		const dataDir = makeDataDir();
		const row = newUser();

		const first = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
		await migrateDatabase(first);
		await first.db.insert(user).values(row);
		await first.close();
		expect(readPostmasterPid(dataDir)).toBeUndefined();

		const again = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
		try {
			await migrateDatabase(again);
			const [stored] = await again.db.select().from(user).where(eq(user.id, row.id));
			expect(stored).toMatchObject(row);
		} finally {
			await again.close();
		}
	});

	it('listens on 127.0.0.1 only, with a private generated password and no unix socket', BUDGET, async () => {
		const dataDir = makeDataDir();
		const server = await startEmbeddedPostgres(dataDir);
		try {
			const url = new URL(server.url);
			expect(url.hostname).toBe('127.0.0.1');
			expect(fs.statSync(embeddedFiles(dataDir).password).mode & 0o777).toBe(0o600);

			const sql = postgres(server.url, { max: 1 });
			const [settings] =
				await sql`select current_setting('listen_addresses') as listen, current_setting('unix_socket_directories') as sockets`;
			await sql.end();
			expect(settings).toEqual({ listen: '127.0.0.1', sockets: '' });

			url.password = 'wrong';
			const intruder = postgres(url.toString(), { max: 1, connect_timeout: 5 });
			await expect(intruder`select 1`).rejects.toThrow(/password authentication failed/);
			await intruder.end();
		} finally {
			await server.stop();
		}
	});

	it('lets a second process join the running server, with notifications between them', BUDGET, async () => {
		const dataDir = makeDataDir();
		const first = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
		const second = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
		try {
			const heard = new Promise<string>((resolve) => first.driver.listen('hearth_test', resolve));
			await new Promise((resolve) => setTimeout(resolve, 100));
			await second.driver.notify('hearth_test', 'hello');
			expect(await heard).toBe('hello');
		} finally {
			await second.close();
		}
		// The joining one leaves the server to the process that started it.
		const [row] = await selectRows<{ one: number }>(first.db, sql`select 1 as one`);
		expect(row.one).toBe(1);
		await first.close();
	});

	it('starts again after the Hearth that ran it was killed (kill -9)', BUDGET, async () => {
		const dataDir = makeDataDir();
		const row = newUser();
		const setup = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
		await migrateDatabase(setup);
		await setup.db.insert(user).values(row);
		await setup.close();

		const killed = await startInOtherProcess(dataDir);
		const orphan = readPostmasterPid(dataDir);
		killed.kill('SIGKILL');
		await new Promise((resolve) => killed.once('exit', resolve));

		const adopted = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
		expect(readPostmasterPid(dataDir)).toBe(orphan);
		const [stored] = await adopted.db.select().from(user).where(eq(user.id, row.id));
		expect(stored).toMatchObject(row);
		await adopted.close();
		expect(readPostmasterPid(dataDir)).toBeUndefined();
	});

	it('starts when postmaster.pid names a process that is not PostgreSQL (a stale file)', BUDGET, async () => {
		const dataDir = makeDataDir();
		await (await startEmbeddedPostgres(dataDir)).stop();
		const lockFile = path.join(embeddedFiles(dataDir).cluster, 'postmaster.pid');
		// As after a crash of the whole machine: the pid in the file now belongs to someone else (this process).
		fs.writeFileSync(
			lockFile,
			`${process.pid}\n${embeddedFiles(dataDir).cluster}\n0\n5432\n\n127.0.0.1\n 0 0\nready\n`
		);

		const server = await startEmbeddedPostgres(dataDir);
		try {
			const sql = postgres(server.url, { max: 1 });
			const [result] = await sql`select 1 as one`;
			await sql.end();
			expect(result.one).toBe(1);
		} finally {
			await server.stop();
		}
	});
});
