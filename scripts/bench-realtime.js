// `npm run bench:realtime`: Hearth's realtime server under load, as deployed: the production build
// (`node server.js`, built first under the shared build lock when build/ is missing), with validation
// and durable storage on, on a PostgreSQL server with its durable defaults (fsync, synchronous commit). This process plays R rooms ×
// C signed-in members, each room making small edits (a new post) at a steady rate, and measures:
//   time to first sync     socket opened → first sync with the server
//   fan-out latency        edit made on one client → every other client in the room has it
//   delivered updates/s    (edits × receivers) / duration
//   lost updates           edits some receiver never got (within 5 s after the run)
//   server memory          the server process's RSS (peak and at the end)
// Settings (environment): BENCH_ROOMS (50), BENCH_CLIENTS (6), BENCH_RATE edits per room per second (10),
// BENCH_SECONDS (30), BENCH_DATABASE_URL to use an existing server instead of starting one,
// BENCH_SERVER_NODE_FLAGS extra flags for the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`;
// the server is stopped with SIGTERM so that profiles are written).
import { execFile as execFileCallback, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { createAppModuleLoader } from '../tests/support/app-modules.js';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { findPostgresBinaries } from '../tests/support/postgres.js';

const execFile = promisify(execFileCallback);
// Each y-websocket provider adds a process 'exit' listener; hundreds of them are expected here.
process.setMaxListeners(0);
const root = path.resolve(import.meta.dirname, '..');
const ROOMS = Number(process.env.BENCH_ROOMS ?? 50);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 6);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);

/** @type {Array<() => Promise<void>>} */
const cleanups = [];
async function cleanUp() {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}

/** @returns {Promise<number>} */
function findFreePort() {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.on('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}

/**
 * @param {string} command
 * @param {string[]} args
 */
function runAsPostgres(command, args) {
	if (process.getuid?.() !== 0) return execFile(command, args, { cwd: os.tmpdir() });
	return execFile('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: os.tmpdir() });
}

/** A throwaway PostgreSQL with its default, durable settings. */
async function startDurablePostgres() {
	const bin = findPostgresBinaries();
	if (!bin) throw new Error('PostgreSQL binaries not found; set BENCH_DATABASE_URL');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-pg-'));
	const data = path.join(dir, 'data');
	fs.mkdirSync(path.join(dir, 'socket'));
	if (process.getuid?.() === 0) await execFile('chown', ['-R', 'postgres:postgres', dir]);
	await runAsPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
	const port = await findFreePort();
	const options = `-p ${port} -k '${path.join(dir, 'socket')}' -c listen_addresses=127.0.0.1 -c max_connections=100`;
	await runAsPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', 'start']);
	cleanups.push(async () => {
		await runAsPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
		fs.rmSync(dir, { recursive: true, force: true });
	});
	const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
	await admin.unsafe('create database hearth_bench');
	await admin.end();
	return `postgres://postgres@127.0.0.1:${port}/hearth_bench`;
}

/** Loads app modules (TypeScript, `$lib`) the way the realtime test server does. */
async function loadAppModules() {
	const vite = await createAppModuleLoader();
	cleanups.push(() => vite.close());
	const load = (/** @type {string} */ file) => vite.ssrLoadModule(file);
	return {
		db: await load('/src/lib/server/db/index.ts'),
		client: await load('/src/lib/server/db/client.ts'),
		schema: await load('/src/lib/server/db/schema/index.ts'),
		ids: await load('/src/lib/server/db/ids.ts'),
		sessions: await load('/src/lib/server/auth/sessions.ts'),
		groups: await load('/src/lib/server/groups/groups.ts'),
		agreements: await load('/src/lib/server/groups/agreements.ts'),
		invitations: await load('/src/lib/server/invitations/index.ts'),
		names: await load('/src/lib/board/document-names.ts'),
		posts: await load('/src/lib/board/posts.ts')
	};
}

/** @param {number[]} values @param {number} p */
function percentile(values, p) {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** @param {number} pid */
function readMemory(pid) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (/** @type {string} */ field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
	return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

async function main() {
	if (!fs.existsSync(path.join(root, 'build', 'handler.js'))) {
		console.log('Building Hearth (npm run build)…');
		await execFile('flock', ['/tmp/hearth-build.lock', 'npm', 'run', 'build'], { cwd: root });
	}
	const databaseUrl = process.env.BENCH_DATABASE_URL || (await startDurablePostgres());
	const dataKey = randomBytes(32).toString('base64');
	process.env.DATABASE_URL = databaseUrl;
	process.env.HEARTH_DATA_KEY = dataKey;
	process.env.HEARTH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-data-'));
	const app = await loadAppModules();
	await app.client.migrateDatabase(app.db.connection, path.join(root, 'drizzle'));

	console.log(`Setting up ${ROOMS} rooms × ${CLIENTS} members…`);
	/** @param {string} name @param {'staff' | 'member'} role */
	async function createPerson(name, role) {
		const id = app.ids.generateId();
		await app.db.db.insert(app.schema.user).values({ id, email: `${id}@bench.invalid`, displayName: name, passwordHash: 'x', role });
		const token = app.sessions.generateSessionToken();
		await app.sessions.createSession(token, id);
		return { id, token };
	}
	/** @type {{ document: string; members: { id: string; token: string }[] }[]} */
	const rooms = [];
	for (let r = 0; r < ROOMS; r++) {
		const facilitator = await createPerson(`Facilitator ${r}`, 'staff');
		const group = await app.groups.createGroup({
			creatorId: facilitator.id,
			creatorKind: 'therapist',
			name: `Bench circle ${r}`,
			description: '',
			capacity: 20,
			timeZone: 'Europe/Berlin',
			agreementBody: 'Bench agreement.',
			program: null
		});
		const members = [facilitator];
		const agreement = await app.agreements.getCurrentAgreement(group.id);
		for (let c = 1; c < CLIENTS; c++) {
			const member = await createPerson(`Member ${r}.${c}`, 'member');
			const invitation = await app.invitations.createInvitation({
				groupId: group.id,
				actorId: facilitator.id,
				email: '',
				note: '',
				origin: 'http://127.0.0.1'
			});
			await app.invitations.acceptInvitation({
				token: invitation.link.split('/').at(-1),
				userId: member.id,
				typedName: 'Member',
				agreementVersion: agreement.version
			});
			members.push(member);
		}
		rooms.push({ document: app.names.groupDocumentName(group.id), members });
	}
	await app.db.connection.close();

	const port = await findFreePort();
	const origin = `http://127.0.0.1:${port}`;
	// The same V8 setting `npm start` uses (see README, "Memory"); more flags through BENCH_SERVER_NODE_FLAGS.
	const serverFlags = ['--max-semi-space-size=16', ...(process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
	const server = spawn(process.execPath, [...serverFlags, path.join(root, 'server.js')], {
		cwd: root,
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: origin, NODE_ENV: 'production' },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	cleanups.push(async () => {
		if (server.exitCode !== null || server.signalCode !== null) return;
		// SIGTERM first: the server closes its sockets and unloads documents, and --cpu-prof and
		// friends write their files on the way out.
		const exited = new Promise((resolve) => server.once('exit', resolve));
		server.kill('SIGTERM');
		const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000));
		if ((await Promise.race([exited, timeout])) === 'timeout') server.kill('SIGKILL');
	});
	await new Promise((resolve, reject) => {
		server.stdout?.on('data', (chunk) => String(chunk).includes('listening') && resolve(undefined));
		server.on('exit', (code) => reject(new Error(`server exited (${code})`)));
	});
	const pid = /** @type {number} */ (server.pid);
	const baseline = readMemory(pid);

	/** @type {{ doc: Y.Doc; provider: WebsocketProvider; room: number; userId: string }[]} */
	const clients = [];
	const syncTimes = [];
	const connectStart = Date.now();
	for (const [index, room] of rooms.entries()) {
		for (const member of room.members) {
			const headers = { origin, cookie: `hearth_session=${member.token}` };
			class BenchSocket extends WebSocket {
				/** @param {string} url @param {string[]} protocols */
				constructor(url, protocols) {
					super(url, protocols, { headers });
				}
			}
			const doc = new Y.Doc();
			const opened = Date.now();
			const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/realtime`, room.document, doc, {
				WebSocketPolyfill: /** @type {any} */ (BenchSocket),
				disableBc: true
			});
			provider.messageHandlers[100] = () => {};
			provider.messageHandlers[101] = () => {};
			provider.messageHandlers[102] = () => {};
			provider.once('sync', () => syncTimes.push(Date.now() - opened));
			clients.push({ doc, provider, room: index, userId: member.id });
		}
	}
	while (syncTimes.length < clients.length) {
		if (Date.now() - connectStart > 60_000) throw new Error(`only ${syncTimes.length} of ${clients.length} clients synced`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	console.log(`${clients.length} clients synced in ${Date.now() - connectStart} ms; editing for ${SECONDS} s…`);

	/** postId → { sentAt, waiting: remaining receivers, done latency } */
	/** @type {Map<string, { sentAt: number; waiting: number; latency: number | null }>} */
	const edits = new Map();
	for (const client of clients) {
		client.doc.getMap('posts').observe((event) => {
			if (event.transaction.local) return;
			const now = performance.now();
			for (const key of event.keysChanged) {
				const edit = edits.get(key);
				if (!edit) continue;
				edit.waiting--;
				if (edit.waiting === 0) edit.latency = now - edit.sentAt;
			}
		});
	}

	let peak = baseline.rss;
	const sampler = setInterval(() => {
		peak = Math.max(peak, readMemory(pid).rss);
	}, 250);
	const interval = 1000 / RATE;
	const loadBefore = os.loadavg().map((load) => load.toFixed(2)).join(' ');
	const started = performance.now();
	const timers = rooms.map((_room, index) => {
		const members = clients.filter((client) => client.room === index);
		// Spread the rooms' ticks over the interval, as independent circles would be.
		let tick = 0;
		const offset = (index / rooms.length) * interval;
		return setTimeout(function edit() {
			if (performance.now() - started > SECONDS * 1000) return;
			const author = members[tick++ % members.length];
			const sentAt = performance.now();
			const postId = app.posts.createPost(author.doc, { authorId: author.userId, body: `bench ${tick}` });
			edits.set(postId, { sentAt, waiting: members.length - 1, latency: null });
			timers[index] = setTimeout(edit, interval);
		}, offset);
	});
	await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000 + 100));
	for (const timer of timers) clearTimeout(timer);
	const editingMs = performance.now() - started;
	const deadline = Date.now() + 5000;
	while ([...edits.values()].some((edit) => edit.latency === null) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	clearInterval(sampler);
	const end = readMemory(pid);

	const latencies = [...edits.values()].flatMap((edit) => (edit.latency === null ? [] : [edit.latency]));
	const lost = [...edits.values()].filter((edit) => edit.latency === null).length;
	const delivered = latencies.length * (CLIENTS - 1);
	const mb = (/** @type {number} */ bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	const ms = (/** @type {number} */ value) => `${value.toFixed(1)} ms`;
	console.log('');
	console.log(`Hearth realtime benchmark — ${ROOMS} rooms × ${CLIENTS} clients, ${RATE} edits/room/s, ${SECONDS} s`);
	console.log(`  storage                  PostgreSQL (fsync on, synchronous_commit on), AES-256-GCM, policy checks on`);
	console.log(`  time to first sync       p50 ${ms(percentile(syncTimes, 50))}  p95 ${ms(percentile(syncTimes, 95))}  max ${ms(Math.max(...syncTimes))}`);
	console.log(`  fan-out latency          p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(Math.max(...latencies))}`);
	console.log(`  edits                    ${edits.size} (${(edits.size / (editingMs / 1000)).toFixed(0)}/s)`);
	console.log(`  delivered updates/s      ${(delivered / (editingMs / 1000)).toFixed(0)}`);
	console.log(`  lost updates             ${lost}`);
	console.log(`  server memory            baseline ${mb(baseline.rss)}  peak ${mb(Math.max(peak, end.peak))}  end ${mb(end.rss)}`);
	console.log(`  load average             ${loadBefore} before, ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} after (1/5/15 min, ${os.cpus().length} cores)`);

	for (const client of clients) client.provider.destroy();
	return { p99: percentile(latencies, 99), lost, peak: Math.max(peak, end.peak) };
}

try {
	const result = await main();
	await cleanUp();
	const ok = result.p99 < 50 && result.lost === 0 && result.peak < 250 * 1024 * 1024;
	console.log(ok ? '  targets                  met (p99 < 50 ms, 0 lost, < 250 MB)' : '  targets                  NOT met');
	process.exit(0);
} catch (error) {
	console.error(error);
	await cleanUp();
	process.exit(1);
}
