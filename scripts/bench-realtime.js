// `npm run bench:realtime`: Hearth's realtime server side by side with the bare reference server,
// `@y/websocket-server` 0.1.1 (in memory, no auth, no policy, no storage), driven by the same client in
// the same run. Hearth runs as deployed: the production build (`node server.js`, rebuilt under the shared
// build lock when src/ is newer than build/), signed-in members, the change policy and durable storage on
// a PostgreSQL server with its durable defaults (fsync, synchronous commit).
//
// Each run plays, once against each server (the order alternates between runs, so that a noisy machine
// hurts both alike), R rooms × C clients, every client a real Y.Doc behind a WebsocketProvider:
//   arrival      all clients connect at once; once all are synced, every client writes at once (for Hearth
//                each client's first write, so its Yjs client id is bound then)
//   steady       from 1 s later, each room writes at a steady rate for S seconds, authors in turn
// Hearth's clients write real board posts ($lib/board createPost); the reference's clients insert plain
// strings into the same map, padded to the same update size. It prints, per server and run:
//   fan-out      edit made on one client → every other client in the room has it (p50/p95/p99/max), for
//                the steady state and for the first second of the arrival
//   saved        Hearth only: edit sent → the server's `saved` for that message
//   CPU          utime+stime deltas from /proc of the server process (and of PostgreSQL: the postmaster,
//                its live children and the children it reaped), as % of one core over the phase
//   memory       the server's peak RSS during the phase, and its heap per loaded room: V8 heap plus memory
//                outside it (socket buffers), after a full garbage collection (through the server's inspector),
//                once all clients are synced minus before they connected, divided by the rooms
//   lost         edits some receiver never got (within 5 s after the phase)
//   diverged     clients whose posts differ from the rest of their room's at the end
//   machine      load average, and the CPU everything else on the machine used meanwhile
// then the ratios Hearth / reference and, with several runs, their spread (median, min–max).
// Settings (environment): BENCH_ROOMS (50), BENCH_CLIENTS (6), BENCH_RATE posts per room per second (10),
// BENCH_SECONDS (30), BENCH_RUNS (3), BENCH_DATABASE_URL to use an existing server instead of starting one
// (its CPU is then not measured), BENCH_SERVER_NODE_FLAGS extra flags for Hearth's node (e.g.
// `--cpu-prof --cpu-prof-dir=/tmp/prof`; the servers are stopped with SIGTERM so that profiles are written).
import { execFile as execFileCallback, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as decoding from 'lib0/decoding';
import postgres from 'postgres';
import { createAppModuleLoader } from '../tests/support/app-modules.js';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { findPostgresBinaries } from '../tests/support/postgres.js';
import { cleanUp, findFreePort, joinByInvitation, onCleanUp, spread } from './bench-support.js';

const execFile = promisify(execFileCallback);
// Each y-websocket provider adds a process 'exit' listener; hundreds of them are expected here.
process.setMaxListeners(0);
const root = path.resolve(import.meta.dirname, '..');
const ROOMS = Number(process.env.BENCH_ROOMS ?? 50);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 6);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGETS = { fanOutP99: 1.5, cpu: 2, perRoomKb: 100 };
const CLOCK_TICKS = 100;

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
	await runAsPostgres(path.join(bin, 'initdb'), [
		'-D',
		data,
		'-U',
		'postgres',
		'--auth=trust',
		'-E',
		'UTF8',
		'--locale=C'
	]);
	const port = await findFreePort();
	const options = `-p ${port} -k '${path.join(dir, 'socket')}' -c listen_addresses=127.0.0.1 -c max_connections=100`;
	await runAsPostgres(path.join(bin, 'pg_ctl'), [
		'-D',
		data,
		'-l',
		path.join(dir, 'log'),
		'-o',
		options,
		'-w',
		'start'
	]);
	onCleanUp(async () => {
		await runAsPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
		fs.rmSync(dir, { recursive: true, force: true });
	});
	const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
	await admin.unsafe('create database hearth_bench');
	await admin.end();
	const postmaster = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
	return { url: `postgres://postgres@127.0.0.1:${port}/hearth_bench`, postmaster };
}

/** Loads app modules (TypeScript, `$lib`) the way the realtime test server does. */
async function loadAppModules() {
	const vite = await createAppModuleLoader();
	onCleanUp(() => vite.close());
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

/** Whether anything the production build is made from changed after it was built. */
function isBuildStale() {
	const built = path.join(root, 'build', 'handler.js');
	if (!fs.existsSync(built)) return true;
	const builtAt = fs.statSync(built).mtimeMs;
	const sources = ['server.js', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'].map((file) =>
		path.join(root, file)
	);
	for (const file of fs.readdirSync(path.join(root, 'src'), { recursive: true }))
		sources.push(path.join(root, 'src', String(file)));
	return sources.some((file) => fs.existsSync(file) && fs.statSync(file).mtimeMs > builtAt);
}

/** @param {number[]} values @param {number} p */
function percentile(values, p) {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** @param {number[]} values */
function distribution(values) {
	return {
		p50: percentile(values, 50),
		p95: percentile(values, 95),
		p99: percentile(values, 99),
		max: percentile(values, 100),
		count: values.length
	};
}

/** utime+stime (and, with children, cutime+cstime) of a process in clock ticks; 0 once it is gone. */
function readCpuTicks(/** @type {number} */ pid, withReaped = false) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command name, which may hold spaces: state is field 3, utime 14 … cstime 17.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
		return utime + stime + (withReaped ? cutime + cstime : 0);
	} catch {
		return 0;
	}
}

/** @param {number} pid */
function readRss(pid) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
	} catch {
		return 0;
	}
}

/** A PostgreSQL server's CPU: the postmaster with what it reaped, plus its live children (backends, WAL writer …). */
function readPostgresTicks(/** @type {number | null} */ postmaster) {
	if (!postmaster) return 0;
	let ticks = readCpuTicks(postmaster, true);
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid === postmaster) ticks += readCpuTicks(Number(entry));
		} catch {
			// It exited while we looked; its time is in the postmaster's reaped total.
		}
	}
	return ticks;
}

/** Busy clock ticks of the whole machine (every core). */
function readMachineTicks() {
	const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
	const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
	return user + nice + system + irq + softirq + steal;
}

function formatLoad() {
	return os
		.loadavg()
		.map((load) => load.toFixed(2))
		.join(' ');
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {string} readyText printed on stdout once it listens
 */
async function startProcess(command, args, env, readyText) {
	const child = spawn(command, args, {
		cwd: root,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	onCleanUp(async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		// SIGTERM first: Hearth closes its sockets and unloads documents, and --cpu-prof writes its file on the way out.
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000));
		if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
	});
	await new Promise((resolve, reject) => {
		child.stdout?.on('data', (chunk) => String(chunk).includes(readyText) && resolve(undefined));
		child.on('exit', (code) => reject(new Error(`${command} exited (${code})`)));
	});
	child.stdout?.resume();
	return /** @type {number} */ (child.pid);
}

/**
 * @typedef {{ id: string; token: string }} Person
 * @typedef {{ document: string; members: Person[] }} BenchRoom
 * @typedef {{
 *   name: string;
 *   pid: number;
 *   inspectorPort: number;
 *   postmaster: number | null;
 *   url: string;
 *   rooms: BenchRoom[];
 *   headers(member: Person): Record<string, string>;
 *   write(doc: Y.Doc, authorId: string, tick: number): string;
 * }} Target
 * @typedef {ReturnType<typeof distribution>} Distribution
 * @typedef {{
 *   target: string; steady: Distribution; arrival: Distribution; saved: Distribution; unsaved: number; refused: number;
 *   sync: Distribution; serverCpu: number; postgresCpu: number | null; clientCpu: number; otherCpu: number; peak: number; perRoom: number; lost: number;
 *   diverged: number; edits: number; load: string;
 * }} PhaseResult
 */

/** A stable text for a JSON value (keys sorted), to compare what two clients hold. */
function canonical(/** @type {unknown} */ value) {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value && typeof value === 'object') {
		return `{${Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${canonical(/** @type {any} */ (value)[key])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value);
}

/**
 * A server's memory after a full garbage collection, V8 heap plus what lives outside it (buffers), read
 * through its inspector (the servers run with --inspect; nothing is attached between measurements).
 * @param {number} inspectorPort
 */
async function measureHeap(inspectorPort) {
	const [inspected] = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
	const socket = new WebSocket(inspected.webSocketDebuggerUrl);
	await new Promise((resolve, reject) => {
		socket.once('open', resolve);
		socket.once('error', reject);
	});
	let lastId = 0;
	const call = (/** @type {string} */ method, params = {}) =>
		new Promise((resolve, reject) => {
			const id = ++lastId;
			const onMessage = (/** @type {import('ws').RawData} */ data) => {
				const message = JSON.parse(String(data));
				if (message.id !== id) return;
				socket.off('message', onMessage);
				if (message.error) reject(new Error(message.error.message));
				else resolve(message.result);
			};
			socket.on('message', onMessage);
			socket.send(JSON.stringify({ id, method, params }));
		});
	try {
		await call('HeapProfiler.collectGarbage');
		await call('HeapProfiler.collectGarbage');
		const { result } = /** @type {{ result: { value: string } }} */ (
			await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })
		);
		const usage = JSON.parse(result.value);
		return usage.heapUsed + usage.external;
	} finally {
		socket.close();
	}
}

/** When each server's last phase ended: its rooms stay loaded for a while after their clients leave. */
const lastPhaseEnded = new Map();
/** Longer than Hearth's idle unload (realtime/options.ts), so an earlier phase's rooms are gone before a baseline. */
const UNLOAD_WAIT_MS = 35_000;

/** @param {Target} target @returns {Promise<PhaseResult>} */
async function runPhase(target) {
	const settle = (lastPhaseEnded.get(target.name) ?? -Infinity) + UNLOAD_WAIT_MS - performance.now();
	if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
	const heapBefore = await measureHeap(target.inspectorPort);
	/** @type {{ doc: Y.Doc; provider: WebsocketProvider; room: number; userId: string }[]} */
	const clients = [];
	/** @type {number[]} */
	const syncTimes = [];
	/** @type {number[]} */
	const saved = [];
	/** @type {Set<{ edits: Map<number, number> }>} */
	const sockets = new Set();
	let refused = 0;
	const connectStart = performance.now();
	for (const [index, room] of target.rooms.entries()) {
		for (const member of room.members) {
			const headers = target.headers(member);
			class BenchSocket extends WebSocket {
				updateMessages = 0;
				/** Update message number → when it was sent, for the edits among them. */
				edits = new Map();
				/** @param {string} url @param {string[]} protocols */
				constructor(url, protocols) {
					super(url, protocols, { headers });
					sockets.add(this);
				}
				/** @param {any} data @param {any[]} rest */
				send(data, ...rest) {
					const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
					// Hearth acknowledges every sync step 2 and update message, numbered per socket (protocol.ts).
					if (bytes[0] === 0 && (bytes[1] === 1 || bytes[1] === 2)) {
						this.updateMessages++;
						if (bytes[1] === 2) this.edits.set(this.updateMessages, performance.now());
					}
					super.send(data, ...rest);
				}
			}
			const doc = new Y.Doc();
			const opened = performance.now();
			const provider = new WebsocketProvider(target.url, room.document, doc, {
				WebSocketPolyfill: /** @type {any} */ (BenchSocket),
				disableBc: true
			});
			provider.messageHandlers[100] = (_encoder, decoder, { ws }) => {
				const socket = /** @type {BenchSocket | null} */ (ws);
				const seq = decoding.readVarUint(decoder);
				const sentAt = socket?.edits.get(seq);
				if (socket && sentAt !== undefined) {
					saved.push(performance.now() - sentAt);
					socket.edits.delete(seq);
				}
			};
			provider.messageHandlers[101] = () => refused++;
			provider.messageHandlers[102] = () => {};
			provider.once('sync', () => syncTimes.push(performance.now() - opened));
			clients.push({ doc, provider, room: index, userId: member.id });
		}
	}
	while (syncTimes.length < clients.length) {
		if (performance.now() - connectStart > 120_000)
			throw new Error(`${target.name}: only ${syncTimes.length} of ${clients.length} clients synced`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	const perRoom = ((await measureHeap(target.inspectorPort)) - heapBefore) / target.rooms.length;

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
	const members = target.rooms.map((_room, index) => clients.filter((client) => client.room === index));
	/** @param {typeof clients[number]} author @param {number} tick */
	const write = (author, tick) => {
		const sentAt = performance.now();
		const postId = target.write(author.doc, author.userId, tick);
		edits.set(postId, { sentAt, waiting: members[author.room].length - 1, latency: null });
	};

	let peak = readRss(target.pid);
	const sampler = setInterval(() => (peak = Math.max(peak, readRss(target.pid))), 250);
	const cpuBefore = {
		server: readCpuTicks(target.pid),
		postgres: readPostgresTicks(target.postmaster),
		self: process.cpuUsage(),
		machine: readMachineTicks()
	};
	const load = formatLoad();
	const started = performance.now();
	// Arrival: everyone writes at once, as when a whole circle opens the board at the start of a session.
	for (const [tick, client] of clients.entries()) write(client, tick);
	const steadyFrom = started + 1000;
	const interval = 1000 / RATE;
	const timers = members.map((roomClients, index) => {
		let tick = 0;
		// Spread the rooms' ticks over the interval, as independent circles would be.
		const offset = 1000 + (index / members.length) * interval;
		return setTimeout(function edit() {
			if (performance.now() - steadyFrom > SECONDS * 1000) return;
			write(roomClients[tick % roomClients.length], tick++);
			timers[index] = setTimeout(edit, interval);
		}, offset);
	});
	await new Promise((resolve) => setTimeout(resolve, 1000 + SECONDS * 1000 + 100));
	for (const timer of timers) clearTimeout(timer);
	const deadline = Date.now() + 5000;
	while ([...edits.values()].some((edit) => edit.latency === null) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	clearInterval(sampler);
	const elapsedTicks = ((performance.now() - started) / 1000) * CLOCK_TICKS;
	const self = process.cpuUsage(cpuBefore.self);
	const serverTicks = readCpuTicks(target.pid) - cpuBefore.server;
	const postgresTicks = readPostgresTicks(target.postmaster) - cpuBefore.postgres;
	const selfTicks = ((self.user + self.system) / 1e6) * CLOCK_TICKS;
	const machineTicks = readMachineTicks() - cpuBefore.machine;
	const percent = (/** @type {number} */ ticks) => (100 * ticks) / elapsedTicks;

	const latencies = (/** @type {(sentAt: number) => boolean} */ when) =>
		[...edits.values()].flatMap((edit) => (edit.latency !== null && when(edit.sentAt) ? [edit.latency] : []));
	let diverged = 0;
	for (const roomClients of members) {
		const views = roomClients.map((client) => canonical(client.doc.getMap('posts').toJSON()));
		const counts = new Map();
		for (const view of views) counts.set(view, (counts.get(view) ?? 0) + 1);
		diverged += roomClients.length - Math.max(...counts.values());
	}
	let unsaved = 0;
	for (const socket of sockets) unsaved += socket.edits.size;
	for (const client of clients) {
		client.provider.destroy();
		client.doc.destroy();
	}
	await new Promise((resolve) => setTimeout(resolve, 1000));
	lastPhaseEnded.set(target.name, performance.now());
	return {
		target: target.name,
		steady: distribution(latencies((sentAt) => sentAt >= steadyFrom)),
		arrival: distribution(latencies((sentAt) => sentAt < steadyFrom)),
		saved: distribution(saved),
		unsaved,
		refused,
		sync: distribution(syncTimes),
		serverCpu: percent(serverTicks),
		postgresCpu: target.postmaster ? percent(postgresTicks) : null,
		clientCpu: percent(selfTicks),
		otherCpu: percent(machineTicks - serverTicks - (target.postmaster ? postgresTicks : 0) - selfTicks),
		peak,
		perRoom,
		lost: [...edits.values()].filter((edit) => edit.latency === null).length,
		diverged,
		edits: edits.size,
		load
	};
}

const ms = (/** @type {number} */ value) => (Number.isFinite(value) ? `${value.toFixed(1)}` : '–');
const mb = (/** @type {number} */ bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const pct = (/** @type {number} */ value) => `${value.toFixed(0)}%`;
const formatDistribution = (/** @type {Distribution} */ d) =>
	`p50 ${ms(d.p50)}  p95 ${ms(d.p95)}  p99 ${ms(d.p99)}  max ${ms(d.max)} ms`;
const totalCpu = (/** @type {PhaseResult} */ result) => result.serverCpu + (result.postgresCpu ?? 0);

/** @param {PhaseResult} result */
function printPhase(result) {
	const cpu =
		result.postgresCpu === null
			? pct(result.serverCpu)
			: `${pct(result.serverCpu)} server + ${pct(result.postgresCpu)} PostgreSQL = ${pct(totalCpu(result))}`;
	console.log(`  ${result.target}`);
	console.log(`    fan-out, steady        ${formatDistribution(result.steady)}  (${result.steady.count} posts)`);
	console.log(`    fan-out, arrival 1 s   ${formatDistribution(result.arrival)}  (${result.arrival.count} posts)`);
	if (result.saved.count > 0)
		console.log(
			`    saved                  ${formatDistribution(result.saved)}  (${result.unsaved} unsaved, ${result.refused} refused)`
		);
	console.log(
		`    first sync             p50 ${ms(result.sync.p50)}  p95 ${ms(result.sync.p95)}  max ${ms(result.sync.max)} ms`
	);
	console.log(`    CPU (% of one core)    ${cpu}`);
	console.log(`    peak memory            ${mb(result.peak)}`);
	console.log(`    memory per loaded room ${(result.perRoom / 1024).toFixed(0)} kB (${CLIENTS} clients, after GC)`);
	console.log(`    lost / diverged        ${result.lost} / ${result.diverged}  of ${result.edits} posts`);
	console.log(
		`    machine                load ${result.load} at start; this benchmark's clients used ${pct(result.clientCpu)}, everything else ${pct(result.otherCpu)} of a core meanwhile`
	);
}

async function main() {
	if (isBuildStale()) {
		console.log('Building Hearth (npm run build)…');
		await execFile('flock', ['/tmp/hearth-build.lock', 'npm', 'run', 'build'], { cwd: root });
	}
	const database = process.env.BENCH_DATABASE_URL
		? { url: process.env.BENCH_DATABASE_URL, postmaster: null }
		: await startDurablePostgres();
	process.env.DATABASE_URL = database.url;
	process.env.HEARTH_DATA_KEY = randomBytes(32).toString('base64');
	process.env.HEARTH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-data-'));
	const app = await loadAppModules();
	await app.client.migrateDatabase(app.db.connection, path.join(root, 'drizzle'));

	console.log(`Setting up ${RUNS} × ${ROOMS} circles of ${CLIENTS} (a facilitator and members)…`);
	/** @param {string} name @param {'staff' | 'member'} role @returns {Promise<Person>} */
	async function createPerson(name, role) {
		const id = app.ids.generateId();
		await app.db.db
			.insert(app.schema.user)
			.values({ id, email: `${id}@bench.invalid`, displayName: name, passwordHash: 'x', role });
		const token = app.sessions.generateSessionToken();
		await app.sessions.createSession(token, id);
		return { id, token };
	}
	/** @type {Person[][]} */
	const people = [];
	for (let r = 0; r < ROOMS; r++) {
		const circle = [await createPerson(`Facilitator ${r}`, 'staff')];
		for (let c = 1; c < CLIENTS; c++) circle.push(await createPerson(`Member ${r}.${c}`, 'member'));
		people.push(circle);
	}
	// A fresh set of circles for every run, so that each run starts from empty boards on both servers.
	/** @type {BenchRoom[][]} */
	const hearthRooms = [];
	for (let run = 0; run < RUNS; run++) {
		const rooms = [];
		for (const [r, [facilitator, ...members]] of people.entries()) {
			const group = await app.groups.createGroup({
				creatorId: facilitator.id,
				creatorKind: 'therapist',
				name: `Bench circle ${run}.${r}`,
				description: '',
				capacity: 20,
				timeZone: 'Europe/Berlin',
				agreementBody: 'Bench agreement.',
				program: null
			});
			for (const member of members) {
				await joinByInvitation(app, {
					groupId: group.id,
					facilitatorId: facilitator.id,
					memberId: member.id,
					name: 'Member'
				});
			}
			rooms.push({ document: app.names.groupDocumentName(group.id), members: [facilitator, ...members] });
		}
		hearthRooms.push(rooms);
	}
	await app.db.connection.close();

	// The reference clients insert plain strings padded to the size of a Hearth post's update.
	const postSize = (() => {
		const doc = new Y.Doc();
		const before = Y.encodeStateVector(doc);
		app.posts.createPost(doc, { authorId: people[0][1]?.id ?? people[0][0].id, body: 'bench 100' });
		return Y.encodeStateAsUpdate(doc, before).byteLength;
	})();
	const insertPlain = (/** @type {Y.Doc} */ doc, /** @type {number} */ padding) => {
		const id = randomBytes(12).toString('base64url');
		doc.getMap('posts').set(id, 'x'.repeat(Math.max(0, padding)));
		return id;
	};
	const padding = (() => {
		let guess = postSize;
		for (let attempt = 0; attempt < 3; attempt++) {
			const doc = new Y.Doc();
			insertPlain(doc, guess);
			guess += postSize - Y.encodeStateAsUpdate(doc).byteLength;
		}
		return guess;
	})();

	const hearthPort = await findFreePort();
	const origin = `http://127.0.0.1:${hearthPort}`;
	// The same V8 setting `npm start` uses (see README, "Memory"); more flags through BENCH_SERVER_NODE_FLAGS.
	const hearthInspector = await findFreePort();
	const hearthFlags = [
		'--max-semi-space-size=16',
		`--inspect=127.0.0.1:${hearthInspector}`,
		...(process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean)
	];
	const hearthPid = await startProcess(
		process.execPath,
		[...hearthFlags, path.join(root, 'server.js')],
		{ PORT: String(hearthPort), HOST: '127.0.0.1', ORIGIN: origin, NODE_ENV: 'production' },
		'listening'
	);
	const referencePort = await findFreePort();
	const referenceInspector = await findFreePort();
	const referencePid = await startProcess(
		process.execPath,
		[`--inspect=127.0.0.1:${referenceInspector}`, path.join(root, 'node_modules/@y/websocket-server/src/server.js')],
		{ PORT: String(referencePort), HOST: '127.0.0.1' },
		'running at'
	);

	console.log(`Hearth post update ${postSize} B; reference insert ${postSize} B. ${RUNS} run(s), servers interleaved.`);
	console.log(
		`Load: ${ROOMS} rooms × ${CLIENTS} clients, ${RATE} posts/room/s, ${SECONDS} s, after an arrival where every client writes at once.`
	);
	/** @type {{ hearth: PhaseResult; reference: PhaseResult }[]} */
	const results = [];
	for (let run = 0; run < RUNS; run++) {
		/** @type {Target} */
		const hearth = {
			name: 'Hearth (PostgreSQL, durable, auth, policy)',
			pid: hearthPid,
			inspectorPort: hearthInspector,
			postmaster: database.postmaster,
			url: `ws://127.0.0.1:${hearthPort}/realtime`,
			rooms: hearthRooms[run],
			headers: (member) => ({ origin, cookie: `hearth_session=${member.token}` }),
			write: (doc, authorId, tick) => app.posts.createPost(doc, { authorId, body: `bench ${tick}` })
		};
		/** @type {Target} */
		const reference = {
			name: '@y/websocket-server 0.1.1 (in memory)',
			pid: referencePid,
			inspectorPort: referenceInspector,
			postmaster: null,
			url: `ws://127.0.0.1:${referencePort}`,
			rooms: hearthRooms[run].map((room, index) => ({ document: `bench-${run}-${index}`, members: room.members })),
			headers: () => ({}),
			write: (doc) => insertPlain(doc, padding)
		};
		const order = run % 2 === 0 ? [hearth, reference] : [reference, hearth];
		const phases = [];
		for (const target of order) phases.push(await runPhase(target));
		const [hearthResult, referenceResult] = order[0] === hearth ? phases : [phases[1], phases[0]];
		console.log(`\nRun ${run + 1} of ${RUNS} (${order[0] === hearth ? 'Hearth first' : 'reference first'})`);
		for (const result of [hearthResult, referenceResult]) printPhase(result);
		results.push({ hearth: hearthResult, reference: referenceResult });
	}

	const ratio = (/** @type {(result: PhaseResult) => number} */ pick) =>
		results.map((run) => pick(run.hearth) / pick(run.reference));
	const of = (/** @type {'hearth' | 'reference'} */ side, /** @type {(result: PhaseResult) => number} */ pick) =>
		spread(
			results.map((run) => pick(run[side])),
			2
		);
	console.log(`\nSummary over ${RUNS} run(s): median (min–max); ms unless said, CPU in % of one core`);
	console.log('  figure                       Hearth                 reference              Hearth / reference');
	/** @type {[string, (result: PhaseResult) => number][]} */
	const rows = [
		['fan-out p50', (r) => r.steady.p50],
		['fan-out p95', (r) => r.steady.p95],
		['fan-out p99', (r) => r.steady.p99],
		['fan-out max', (r) => r.steady.max],
		['arrival 1 s p99', (r) => r.arrival.p99],
		['CPU (server + PostgreSQL)', totalCpu],
		['first sync p50', (r) => r.sync.p50],
		['peak memory (MB)', (r) => r.peak / 1024 / 1024],
		['memory per room (kB)', (r) => r.perRoom / 1024]
	];
	for (const [label, pick] of rows) {
		console.log(
			`  ${label.padEnd(29)}${of('hearth', pick).padEnd(23)}${of('reference', pick).padEnd(23)}${spread(ratio(pick), 2)}`
		);
	}
	console.log(`  Hearth saved p99             ${of('hearth', (r) => r.saved.p99)}`);
	console.log(
		`  Hearth CPU: server / PG      ${of('hearth', (r) => r.serverCpu)} / ${of('hearth', (r) => r.postgresCpu ?? NaN)}`
	);
	console.log(
		`  benchmark clients' CPU       ${of('hearth', (r) => r.clientCpu)} during Hearth, ${of('reference', (r) => r.clientCpu)} during reference`
	);
	console.log(
		`  other processes' CPU         ${of('hearth', (r) => r.otherCpu)} during Hearth, ${of('reference', (r) => r.otherCpu)} during reference`
	);
	const lost = results.reduce((sum, run) => sum + run.hearth.lost + run.hearth.diverged + run.hearth.unsaved, 0);
	const checks = [
		[
			`fan-out p99 ≤ ${TARGETS.fanOutP99}× reference`,
			ratio((r) => r.steady.p99).every((value) => value <= TARGETS.fanOutP99)
		],
		[`CPU ≤ ${TARGETS.cpu}× reference`, ratio(totalCpu).every((value) => value <= TARGETS.cpu)],
		['0 lost, diverged or unsaved', lost === 0],
		['arrival p99 ≤ steady p99', results.every((run) => run.hearth.arrival.p99 <= run.hearth.steady.p99)],
		[
			`memory per room ≤ ${TARGETS.perRoomKb} kB`,
			results.every((run) => run.hearth.perRoom <= TARGETS.perRoomKb * 1024)
		]
	];
	console.log(
		`  targets (every run)          ${checks.map(([label, met]) => `${label}: ${met ? 'met' : 'NOT met'}`).join('; ')}`
	);
}

try {
	await main();
	await cleanUp();
	process.exit(0);
} catch (error) {
	console.error(error);
	await cleanUp();
	process.exit(1);
}
