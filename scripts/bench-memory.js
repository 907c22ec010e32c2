// `npm run bench:memory`: what `npm start` costs at rest, Hearth and its database together, on the embedded
// PostgreSQL (the default) and on an external PostgreSQL server, interleaved over BENCH_RUNS runs (3):
//   first start   spawn → "listening" on an empty data directory (the embedded cluster is created then)
//   restart       the same after a clean stop
//   idle RSS/PSS  memory summed over Hearth's process and every PostgreSQL process (postmaster and its
//                 children, backends included), 15 s after start, and again 15 s after 20 page loads; both
//                 the first start and the restart of each run count
// BENCH_PGLITE_APP=<a built checkout of an earlier Hearth> adds that checkout's embedded PGlite default.
// Linux only (/proc). It builds first when build/ is missing and starts its own PostgreSQL server.
import { execFile as execFileCallback, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { databaseUrl, findFreePort, startTestPostgres } from '../tests/support/postgres.js';

const execFile = promisify(execFileCallback);
const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PAGE_LOADS = 20;
const PAGES = ['/', '/setup', '/login'];
// Longer than the embedded pool's idle timeout (db/client.ts), after which only the LISTEN connection stays.
const IDLE_MS = 15_000;

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @returns {Map<number, number[]>} children of every process */
function readProcessTree() {
	/** @type {Map<number, number[]>} */
	const children = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
		} catch {
			// It ended while we looked.
		}
	}
	return children;
}

/**
 * Memory in MB summed over `roots` and all their descendants: RSS (pages shared between PostgreSQL's
 * processes count once per process) and PSS (each shared page split between its sharers).
 * @param {number[]} roots
 */
function sumMemory(roots) {
	const children = readProcessTree();
	let rss = 0;
	let pss = 0;
	const pending = [...roots];
	while (pending.length) {
		const pid = /** @type {number} */ (pending.pop());
		try {
			const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
			rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
			pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
		} catch {
			continue;
		}
		pending.push(...(children.get(pid) ?? []));
	}
	return { rss: rss / 1024, pss: pss / 1024 };
}

/** @param {string} cluster */
function readPostmaster(cluster) {
	try {
		return Number(fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
	} catch {
		return undefined;
	}
}

/**
 * Starts `node server.js` in `app`, measures, stops it.
 * @param {{ app: string, env: NodeJS.ProcessEnv, cluster: () => string | undefined }} setup
 */
async function startAndMeasure(setup) {
	const port = await findFreePort();
	const started = Date.now();
	const server = spawn(process.execPath, ['--max-semi-space-size=16', 'server.js'], {
		cwd: setup.app,
		env: { ...process.env, ...setup.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	await new Promise((resolve, reject) => {
		const read = (/** @type {Buffer} */ chunk) => {
			output += String(chunk);
			if (output.includes('listening')) resolve(undefined);
		};
		server.stdout.on('data', read);
		server.stderr.on('data', read);
		server.on('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
	});
	const startMs = Date.now() - started;
	const processes = () => {
		const cluster = setup.cluster();
		const postmaster = cluster ? readPostmaster(cluster) : undefined;
		return [/** @type {number} */ (server.pid), ...(postmaster ? [postmaster] : [])];
	};
	await sleep(IDLE_MS);
	const idle = sumMemory(processes());
	for (let i = 0; i < PAGE_LOADS; i++) {
		await (await fetch(`http://127.0.0.1:${port}${PAGES[i % PAGES.length]}`)).arrayBuffer();
	}
	await sleep(IDLE_MS);
	const afterPages = sumMemory(processes());
	server.kill('SIGTERM');
	await new Promise((resolve) => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)));
	// The embedded server stops as Hearth exits; wait until it is gone before the next start.
	for (
		let waited = 0;
		setup.cluster() && readPostmaster(/** @type {string} */ (setup.cluster())) && waited < 30_000;
		waited += 100
	) {
		await sleep(100);
	}
	return { startMs, idle, afterPages };
}

/** @param {number[]} values */
function spread(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const median = sorted[Math.floor((sorted.length - 1) / 2)];
	return `${median.toFixed(0)} (${sorted[0].toFixed(0)}–${sorted.at(-1)?.toFixed(0)})`;
}

async function main() {
	if (!fs.existsSync(path.join(root, 'build', 'handler.js'))) {
		console.log('Building Hearth (npm run build)…');
		await execFile('flock', ['/tmp/hearth-build.lock', 'npm', 'run', 'build'], { cwd: root });
	}
	const external = await startTestPostgres();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-memory-'));
	// As root the embedded server runs as the postgres user, which must be able to enter its data directory.
	fs.chmodSync(tmp, 0o755);
	/** @type {Record<string, (run: number) => Promise<{ first: Awaited<ReturnType<typeof startAndMeasure>>, restart: Awaited<ReturnType<typeof startAndMeasure>> }>>} */
	const options = {
		async 'embedded PostgreSQL'(run) {
			const dataDir = path.join(tmp, `embedded-${run}`);
			const setup = {
				app: root,
				env: { HEARTH_DATA_DIR: dataDir, DATABASE_URL: '' },
				cluster: () => path.join(dataDir, 'postgres')
			};
			return { first: await startAndMeasure(setup), restart: await startAndMeasure(setup) };
		},
		async 'external PostgreSQL'(run) {
			const name = `hearth_bench_memory_${run}`;
			const admin = postgres(external.adminUrl, { max: 1, onnotice: () => {} });
			await admin.unsafe(`create database ${name}`);
			await admin.end();
			const setup = {
				app: root,
				env: { HEARTH_DATA_DIR: path.join(tmp, `external-${run}`), DATABASE_URL: databaseUrl(external.adminUrl, name) },
				cluster: () => external.dataDir
			};
			return { first: await startAndMeasure(setup), restart: await startAndMeasure(setup) };
		}
	};
	const pgliteApp = process.env.BENCH_PGLITE_APP;
	if (pgliteApp) {
		options['PGlite (BENCH_PGLITE_APP)'] = async (run) => {
			const setup = {
				app: path.resolve(pgliteApp),
				env: { HEARTH_DATA_DIR: path.join(tmp, `pglite-${run}`), DATABASE_URL: '' },
				cluster: () => undefined
			};
			return { first: await startAndMeasure(setup), restart: await startAndMeasure(setup) };
		};
	}
	/** @type {Record<string, Awaited<ReturnType<typeof options[string]>>[]>} */
	const results = Object.fromEntries(Object.keys(options).map((name) => [name, []]));
	try {
		// Interleaved, so a noisy moment hurts every option alike.
		for (let run = 0; run < RUNS; run++) {
			for (const [name, measure] of Object.entries(options)) {
				results[name].push(await measure(run));
				process.stdout.write('.');
			}
		}
	} finally {
		await external.stop();
		fs.rmSync(tmp, { recursive: true, force: true });
	}
	console.log(`\n\nHearth + database at rest, ${RUNS} runs each: median (min–max); load ${os.loadavg()[0].toFixed(1)}`);
	const columns = [
		'idle RSS (MB)',
		`RSS, ${PAGE_LOADS} pages later`,
		'idle PSS (MB)',
		`PSS, pages later`,
		'first start (ms)',
		'restart (ms)'
	];
	console.log(`${'database'.padEnd(28)}${columns.map((column) => column.padEnd(20)).join('')}`);
	for (const [name, runs] of Object.entries(results)) {
		const starts = runs.flatMap((r) => [r.first, r.restart]);
		const figures = [
			starts.map((start) => start.idle.rss),
			starts.map((start) => start.afterPages.rss),
			starts.map((start) => start.idle.pss),
			starts.map((start) => start.afterPages.pss),
			runs.map((r) => r.first.startMs),
			runs.map((r) => r.restart.startMs)
		];
		console.log(`${name.padEnd(28)}${figures.map((values) => spread(values).padEnd(20)).join('')}`);
	}
}

await main();
