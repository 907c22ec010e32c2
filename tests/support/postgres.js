// A private PostgreSQL server for one test run: initdb into a temporary directory, start it on a free
// port of 127.0.0.1, throw it away afterwards. Used by Vitest's global setup and by the Playwright web
// server, which runs under plain Node; that is why this module is JavaScript with JSDoc types.
//
// Layout of a run's directory (os.tmpdir()/hearth-pg-XXXXXX): `owner.pid` (the Node process that started
// it, so a later run can reap clusters whose owner died without stopping them), `data/`, `socket/`
// (the unix socket, kept out of /var/run/postgresql which may not exist or be writable) and `server.log`.
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);
const RUN_DIR_PREFIX = 'hearth-pg-';

/**
 * @typedef {object} TestPostgres
 * @property {string} adminUrl superuser URL of the `postgres` database, for CREATE/DROP DATABASE
 * @property {boolean} external true when TEST_DATABASE_URL named a server this run did not start
 * @property {string} [dataDir] the server's data directory, when this run started it
 * @property {() => Promise<void>} stop stops the server and deletes its files (nothing when external)
 */

/** The directory holding `initdb` and `pg_ctl`, from PATH or Debian's /usr/lib/postgresql/<major>/bin. */
export function findPostgresBinaries() {
	const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
	const debian = fs.existsSync('/usr/lib/postgresql')
		? fs
				.readdirSync('/usr/lib/postgresql')
				.sort((a, b) => Number(b) - Number(a))
				.map((major) => path.join('/usr/lib/postgresql', major, 'bin'))
		: [];
	for (const dir of [...onPath, ...debian]) {
		if (isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'pg_ctl'))) {
			// PATH often holds symlinks into the versioned directory; pg_ctl finds `postgres` beside itself.
			return path.dirname(fs.realpathSync(path.join(dir, 'pg_ctl')));
		}
	}
	return undefined;
}

/**
 * Starts a throwaway PostgreSQL server, or returns TEST_DATABASE_URL's server when that is set.
 * Throws with the server log when PostgreSQL cannot be found or does not start.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<TestPostgres>}
 */
export async function startTestPostgres(options = {}) {
	const log = options.log ?? (() => {});
	const external = process.env.TEST_DATABASE_URL;
	if (external) {
		log(`using TEST_DATABASE_URL's server ${redact(external)}`);
		return { adminUrl: external, external: true, stop: async () => {} };
	}

	const bin = findPostgresBinaries();
	if (!bin) {
		throw new Error(
			'PostgreSQL is needed for these tests and was not found (initdb/pg_ctl on PATH or in ' +
				'/usr/lib/postgresql/*/bin). Install it (`apt-get install -y postgresql`) or set TEST_DATABASE_URL ' +
				'to a server where this user may create databases.'
		);
	}
	await reapStaleRuns(bin);

	const runDir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_DIR_PREFIX));
	const dataDir = path.join(runDir, 'data');
	const socketDir = path.join(runDir, 'socket');
	const logFile = path.join(runDir, 'server.log');
	fs.writeFileSync(path.join(runDir, 'owner.pid'), String(process.pid));
	fs.mkdirSync(socketDir);
	const started = Date.now();
	try {
		if (isRoot()) chownTree(runDir, 'postgres');
		await runAsPostgres(path.join(bin, 'initdb'), [
			'-D',
			dataDir,
			'-U',
			'postgres',
			'--auth=trust',
			'-E',
			'UTF8',
			'--locale=C',
			'--no-sync'
		]);
		const port = await startOnFreePort(bin, dataDir, socketDir, logFile);
		log(`PostgreSQL started on 127.0.0.1:${port} in ${Date.now() - started} ms (${runDir})`);
		return {
			adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
			external: false,
			dataDir,
			stop: () => stopRun(bin, runDir)
		};
	} catch (error) {
		await stopRun(bin, runDir).catch(() => {});
		throw error;
	}
}

/**
 * The URL of another database on the same server as `url`.
 * @param {string} url
 * @param {string} database
 */
export function databaseUrl(url, database) {
	const parsed = new URL(url);
	parsed.pathname = `/${encodeURIComponent(database)}`;
	return parsed.toString();
}

/**
 * Quotes an identifier for SQL; database names cannot be bound as parameters.
 * @param {string} name
 */
export function quoteIdentifier(name) {
	return `"${name.replaceAll('"', '""')}"`;
}

/**
 * @param {string} bin
 * @param {string} dataDir
 * @param {string} socketDir
 * @param {string} logFile
 * @returns {Promise<number>}
 */
async function startOnFreePort(bin, dataDir, socketDir, logFile) {
	// The free port is only free when we looked; another process may take it first, so try a few.
	for (let attempt = 1; ; attempt++) {
		const port = await findFreePort();
		const serverOptions = [
			`-p ${port}`,
			`-k '${socketDir}'`,
			'-c listen_addresses=127.0.0.1',
			// Durability buys nothing for a database deleted at the end of the run.
			'-c fsync=off',
			'-c synchronous_commit=off',
			'-c full_page_writes=off',
			// Each test file's app pool may hold up to 10 connections, plus helpers' own.
			'-c max_connections=200'
		].join(' ');
		try {
			await runAsPostgres(path.join(bin, 'pg_ctl'), [
				'-D',
				dataDir,
				'-l',
				logFile,
				'-o',
				serverOptions,
				'-w',
				'-t',
				'60',
				'start'
			]);
			return port;
		} catch (error) {
			const serverLog = readTail(logFile);
			if (attempt < 5 && /could not bind|Address already in use/i.test(serverLog)) continue;
			throw new Error(`PostgreSQL did not start: ${errorText(error)}\n--- server log ---\n${serverLog}`, {
				cause: error
			});
		}
	}
}

/**
 * @param {string} bin
 * @param {string} runDir
 */
async function stopRun(bin, runDir) {
	const dataDir = path.join(runDir, 'data');
	if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
		// Immediate: the files are deleted next, so there is nothing to flush.
		await runAsPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
	}
	fs.rmSync(runDir, { recursive: true, force: true });
}

/**
 * Stops and deletes clusters left by runs whose Node process died before its teardown ran
 * (a killed watcher, Ctrl-C twice). Clusters of live runs are left alone: Vitest and Playwright
 * may run side by side.
 * @param {string} bin
 */
async function reapStaleRuns(bin) {
	const tmp = os.tmpdir();
	for (const entry of fs.readdirSync(tmp)) {
		if (!entry.startsWith(RUN_DIR_PREFIX)) continue;
		const runDir = path.join(tmp, entry);
		let owner;
		try {
			owner = Number(fs.readFileSync(path.join(runDir, 'owner.pid'), 'utf8'));
		} catch {
			continue;
		}
		if (isAlive(owner)) continue;
		await stopRun(bin, runDir).catch(() => {});
	}
}

/**
 * initdb refuses to run as root, and the server must not: run both as the `postgres` user then.
 * @param {string} command
 * @param {string[]} args
 */
async function runAsPostgres(command, args) {
	// PostgreSQL's tools resolve the working directory; the postgres user may not enter the project's.
	const options = { cwd: os.tmpdir() };
	if (!isRoot()) return execFile(command, args, options);
	// By full path: root's PATH on CI may lack /usr/sbin.
	const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find(isExecutable);
	if (runuser) return execFile(runuser, ['-u', 'postgres', '--', command, ...args], options);
	const line = [command, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
	return execFile('su', ['postgres', '-s', '/bin/sh', '-c', line], options);
}

/**
 * @param {string} dir
 * @param {string} user
 */
function chownTree(dir, user) {
	let uid, gid;
	try {
		uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
		gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
	} catch {
		throw new Error(
			`Running as root, PostgreSQL must run as the "${user}" user, which does not exist. ` +
				'Installing the postgresql package creates it; or run the tests as an ordinary user.'
		);
	}
	fs.chownSync(dir, uid, gid);
	for (const entry of fs.readdirSync(dir, { recursive: true })) {
		fs.chownSync(path.join(dir, String(entry)), uid, gid);
	}
}

/** A port free on 127.0.0.1 at the moment of asking. @returns {Promise<number>} */
export function findFreePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

function isRoot() {
	return process.getuid?.() === 0;
}

/** @param {string} file */
function isExecutable(file) {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** @param {number} pid */
function isAlive(pid) {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
	}
}

/** @param {string} file */
function readTail(file) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
	} catch {
		return '(no server log)';
	}
}

/** @param {unknown} error */
function errorText(error) {
	const { stderr, message } = /** @type {{ stderr?: string; message?: string }} */ (error);
	return (stderr || message || String(error)).trim();
}

/** @param {string} url */
function redact(url) {
	const parsed = new URL(url);
	if (parsed.password) parsed.password = '***';
	return parsed.toString();
}
