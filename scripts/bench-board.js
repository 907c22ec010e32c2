// `npm run bench:board`: the board in a real browser, on an empty board, one screen of posts (30), a long
// board (a year of posts, all on the board) and the same year as Hearth keeps it (a program, then alumni
// time, archived: finished sessions and quiet alumni threads in their archives), side by side in one run (these machines are noisy: the ratio holds, absolute times do not). The
// long board against one screen shows what history costs; against the empty one, what posts on screen do. A member opens the board at
// phone width (Chromium), then:
//   time to live     navigation start → the board says "Live" with its posts on screen
//   time to saved    "Post to the group" clicked → the board says "Saved" (the server stored it), 5 posts
//   long tasks       main-thread tasks over 50 ms while opening, typing, posting and receiving others' posts
//   bytes            WebSocket bytes the page received while opening
//   heap             the page's JS heap once live
//   server           a raw y-websocket client signed in as the member (no browser): socket opened → synced,
//                    the first time (the room loads from storage) and again while it is loaded, and bytes
// Settings (environment): BENCH_POSTS posts on the long board (5000), BENCH_RUNS page loads per board (3),
// BENCH_PROFILE=<file> to write a CPU profile of the long board's posting (first run) and print its
// heaviest functions.
// It builds first when build/ is missing and starts its own PostgreSQL.
import { execFile as execFileCallback, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from '@playwright/test';
import postgres from 'postgres';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { createAppModuleLoader } from '../tests/support/app-modules.js';
import { databaseUrl, startTestPostgres } from '../tests/support/postgres.js';
import { cleanUp, findFreePort, joinByInvitation, median, onCleanUp, spread } from './bench-support.js';

const execFile = promisify(execFileCallback);
const root = path.resolve(import.meta.dirname, '..');
const POSTS = Number(process.env.BENCH_POSTS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PHONE = { width: 390, height: 844 };
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * A group with one facilitator and one member, signed in; `posts` posts seeded into its board over a
 * year. With `archived`, that year is a program (seven sessions over its first ten weeks) and then
 * alumni time, and the board has been archived (server/archive) as Hearth does when a board unloads.
 */
async function createBoard(app, name, posts, { archived = false } = {}) {
	const person = async (/** @type {string} */ displayName, /** @type {'staff' | 'member'} */ role) => {
		const id = app.ids.generateId();
		await app.db.db
			.insert(app.schema.user)
			.values({ id, email: `${id}@bench.invalid`, displayName, passwordHash: 'x', role });
		const token = app.sessions.generateSessionToken();
		await app.sessions.createSession(token, id);
		return { id, token };
	};
	const facilitator = await person('Fran', 'staff');
	const member = await person('Sam', 'member');
	const group = await app.groups.createGroup({
		creatorId: facilitator.id,
		creatorKind: 'therapist',
		name,
		description: '',
		capacity: 12,
		timeZone: 'Europe/Berlin',
		agreementBody: 'Bench agreement.',
		program: null
	});
	await joinByInvitation(app, { groupId: group.id, facilitatorId: facilitator.id, memberId: member.id, name: 'Sam' });

	// A year of history: posts a few hours apart, every fourth a reply, some "me too".
	const document = app.names.groupDocumentName(group.id);
	const start = Date.now() - 365 * 86_400_000;
	const step = Math.floor((365 * 86_400_000) / Math.max(posts, 1));
	const week = 7 * 86_400_000;
	/** @type {{ id: string; startsAt: number }[]} */
	const sessions = [];
	if (archived) {
		for (let number = 1; number <= 7; number++) {
			const id = app.ids.generateId();
			const startsAt = start + (number - 1) * 1.5 * week;
			await app.db.db
				.insert(app.schema.programSession)
				.values({ id, groupId: group.id, kind: 'journey', number, startsAt: new Date(startsAt), state: 'done' });
			sessions.push({ id, startsAt });
		}
		await app.db.db
			.update(app.schema.group)
			.set({ lifecycle: 'alumni', lifecycleChangedAt: new Date(start + 10 * week) })
			.where(app.orm.eq(app.schema.group.id, group.id));
	}
	/** The program session a moment belongs to, if it falls in the program. */
	const sessionAt = (/** @type {number} */ at) =>
		at < start + 10 * week ? sessions.findLast((session) => session.startsAt <= at)?.id : undefined;
	/** @type {string[]} */
	const topLevel = [];
	for (let done = 0; done < posts;) {
		const batch = Math.min(500, posts - done);
		await app.writes.changeDocument(document, (/** @type {Y.Doc} */ doc) => {
			for (let i = 0; i < batch; i++, done++) {
				const authorId = done % 3 === 0 ? facilitator.id : member.id;
				const parentId = done % 4 === 3 && topLevel.length ? topLevel[topLevel.length - 1] : undefined;
				const body = `Post ${done}: what stayed with me this week is the quiet after the breathing, and the group holding it.`;
				const at = start + done * step;
				const sessionId = parentId ? undefined : sessionAt(at);
				const id = app.posts.createPost(
					doc,
					{ authorId, body, parentId, ...(sessionId ? { sessionId } : {}) },
					{ now: at }
				);
				if (!parentId) topLevel.push(id);
				if (done % 5 === 0 && !parentId)
					app.posts.toggleReaction(doc, id, 'metoo', authorId === member.id ? facilitator.id : member.id, {
						now: start + done * step + 1000
					});
			}
		});
	}
	if (archived) await app.archive.archiveFinishedThreads(group.id);
	return { groupId: group.id, document, facilitator, member };
}

/** Reads the long tasks the page has seen since `from` (ms on the page's clock). */
async function longTasksSince(page, from) {
	return page.evaluate(
		(since) => globalThis.__longTasks.filter((task) => task.start >= since).map((task) => task.duration),
		from
	);
}

async function measureBoard(browser, origin, board, wsBase) {
	const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
	await context.addCookies([{ name: 'hearth_session', value: board.member.token, url: origin }]);
	await context.addInitScript(() => {
		globalThis.__longTasks = [];
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries())
				globalThis.__longTasks.push({ start: entry.startTime, duration: entry.duration });
		}).observe({ type: 'longtask', buffered: true });
	});
	const page = await context.newPage();
	let bytes = 0;
	page.on('websocket', (socket) =>
		socket.on(
			'framereceived',
			(frame) => (bytes += typeof frame.payload === 'string' ? Buffer.byteLength(frame.payload) : frame.payload.length)
		)
	);

	await page.goto(`${origin}/groups/${board.groupId}/board`);
	await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 120_000 });
	if (board.posts > 0) await page.getByTestId('thread').first().waitFor({ timeout: 120_000 });
	const live = await page.evaluate(() => performance.now());
	const openingTasks = await longTasksSince(page, 0);
	const openedBytes = bytes;
	const heap = await page.evaluate(() => /** @type {any} */ (performance).memory?.usedJSHeapSize ?? 0);

	// Typing: 120 characters, key by key, into the composer.
	const box = page.getByLabel('Share with the group');
	const typingFrom = await page.evaluate(() => performance.now());
	await box.pressSequentially(
		'Arriving tired today, and glad to be here with all of you. Thank you for holding the space last week, it helped.',
		{ delay: 5 }
	);
	const typingTasks = await longTasksSince(page, typingFrom);
	await box.fill('');

	// Posting: five posts, each timed on the page from the click to "Saved".
	const profiling = board.profile ? await context.newCDPSession(page) : null;
	if (profiling) {
		await profiling.send('Profiler.enable');
		await profiling.send('Profiler.setSamplingInterval', { interval: 100 });
		await profiling.send('Profiler.start');
	}
	// Only the tasks between each click and its "Saved" count: filling the box is Playwright's own work.
	const saved = [];
	/** @type {number[]} */
	const postingTasks = [];
	for (let i = 0; i < 5; i++) {
		await box.fill(`Check-in ${i}: a little lighter than last week.`);
		const from = await page.evaluate(() => performance.now());
		saved.push(
			await page.evaluate(
				() =>
					new Promise((resolve) => {
						const state = document.querySelector('[data-testid="save-state"]');
						const button = [...document.querySelectorAll('button')].find(
							(b) => b.textContent?.trim() === 'Post to the group'
						);
						let sawSaving = false;
						const started = performance.now();
						const observer = new MutationObserver(() => {
							const text = state?.textContent?.trim() ?? '';
							if (text.startsWith('Saving')) sawSaving = true;
							else if (text === 'Saved' && sawSaving) {
								observer.disconnect();
								resolve(performance.now() - started);
							}
						});
						observer.observe(/** @type {Node} */ (state), { childList: true, subtree: true, characterData: true });
						button?.click();
					})
			)
		);
		// A task that ends after "Saved" still belongs to the post: wait for the page to be idle first.
		await page.evaluate(() => new Promise((resolve) => requestIdleCallback(resolve, { timeout: 2000 })));
		postingTasks.push(...(await longTasksSince(page, from)));
	}
	if (profiling) {
		const { profile } = await profiling.send('Profiler.stop');
		fs.writeFileSync(board.profile, JSON.stringify(profile));
		printHeaviest(profile);
		board.profile = null;
	}

	// Receiving: the facilitator posts five times from another device while the member's board is open.
	const receivingFrom = await page.evaluate(() => performance.now());
	const { doc, provider } = await openRawClient(wsBase, origin, board.document, board.facilitator.token);
	for (let i = 0; i < 5; i++) {
		const { createPost } = board.postsModule;
		const body = `Welcome back, everyone (${randomBytes(4).toString('hex')}).`;
		createPost(doc, { authorId: board.facilitator.id, body });
		await page.getByText(body).waitFor({ timeout: 60_000 });
	}
	provider.destroy();
	doc.destroy();
	const receivingTasks = await longTasksSince(page, receivingFrom);
	await context.close();
	return { live, saved, openingTasks, typingTasks, postingTasks, receivingTasks, bytes: openedBytes, heap };
}

/**
 * A y-websocket client in this process, signed in with `token`, once synced: `ms` from opening the socket to
 * synced and `bytes` received until then (the server's side of going live, without a browser).
 * @param {string} wsBase @param {string} origin @param {string} document @param {string} token
 */
async function openRawClient(wsBase, origin, document, token) {
	const headers = { origin, cookie: `hearth_session=${token}` };
	let bytes = 0;
	class SignedInSocket extends WebSocket {
		constructor(url, protocols) {
			super(url, protocols, { headers });
			this.addEventListener('message', (event) => (bytes += event.data.byteLength ?? 0));
		}
	}
	const doc = new Y.Doc();
	const opened = performance.now();
	const provider = new WebsocketProvider(wsBase, document, doc, {
		WebSocketPolyfill: /** @type {any} */ (SignedInSocket),
		disableBc: true
	});
	provider.messageHandlers[100] = () => {};
	provider.messageHandlers[101] = () => {};
	provider.messageHandlers[102] = () => {};
	await new Promise((resolve) => provider.once('sync', resolve));
	return { doc, provider, ms: performance.now() - opened, bytes };
}

/** Going live without a browser, as the member: the first open loads the room from storage (cold), later ones find it loaded. */
async function measureServerSync(wsBase, origin, board) {
	const opens = [];
	for (let i = 0; i <= RUNS; i++) {
		const { doc, provider, ms, bytes } = await openRawClient(wsBase, origin, board.document, board.member.token);
		opens.push({ ms, bytes });
		provider.destroy();
		doc.destroy();
	}
	const [cold, ...warm] = opens;
	return { cold: cold.ms, warm: warm.map((open) => open.ms), bytes: cold.bytes };
}

/** The functions that took the most time themselves in a CPU profile, with their source location. */
function printHeaviest(profile) {
	const self = new Map();
	const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	for (const id of profile.samples) {
		const { callFrame } = byId.get(id);
		const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').pop()}:${callFrame.lineNumber}`;
		self.set(key, (self.get(key) ?? 0) + interval / 1000);
	}
	console.log('\nHeaviest functions while posting (self time, ms):');
	for (const [key, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15))
		console.log(`  ${ms.toFixed(1).padStart(8)}  ${key}`);
}

async function main() {
	if (!fs.existsSync(path.join(root, 'build', 'handler.js'))) {
		console.log('Building Hearth (npm run build)…');
		await execFile('flock', ['/tmp/hearth-build.lock', 'npm', 'run', 'build'], { cwd: root });
	}
	const pg = await startTestPostgres({ log: () => {} });
	onCleanUp(pg.stop);
	const name = `hearth_board_bench_${randomBytes(4).toString('hex')}`;
	const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	await admin.end();
	process.env.DATABASE_URL = databaseUrl(pg.adminUrl, name);
	process.env.HEARTH_DATA_KEY = randomBytes(32).toString('base64');
	process.env.HEARTH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-board-bench-'));
	onCleanUp(async () =>
		fs.rmSync(/** @type {string} */ (process.env.HEARTH_DATA_DIR), { recursive: true, force: true })
	);

	const vite = await createAppModuleLoader();
	onCleanUp(() => vite.close());
	const load = (/** @type {string} */ file) => vite.ssrLoadModule(file);
	const app = {
		db: await load('/src/lib/server/db/index.ts'),
		client: await load('/src/lib/server/db/client.ts'),
		schema: await load('/src/lib/server/db/schema/index.ts'),
		ids: await load('/src/lib/server/db/ids.ts'),
		sessions: await load('/src/lib/server/auth/sessions.ts'),
		groups: await load('/src/lib/server/groups/groups.ts'),
		agreements: await load('/src/lib/server/groups/agreements.ts'),
		invitations: await load('/src/lib/server/invitations/index.ts'),
		names: await load('/src/lib/board/document-names.ts'),
		posts: await load('/src/lib/board/posts.ts'),
		writes: await load('/src/lib/server/realtime/server-writes.ts'),
		archive: await load('/src/lib/server/archive/archive.ts'),
		orm: await import('drizzle-orm')
	};
	await app.client.migrateDatabase(app.db.connection, path.join(root, 'drizzle'));
	console.log(`Seeding an empty board, one with a screen of posts and one with ${POSTS}…`);
	const empty = { ...(await createBoard(app, 'Empty circle', 0)), posts: 0, postsModule: app.posts, profile: null };
	const screen = { ...(await createBoard(app, 'One screen', 30)), posts: 30, postsModule: app.posts, profile: null };
	const long = {
		...(await createBoard(app, 'Long circle', POSTS)),
		posts: POSTS,
		postsModule: app.posts,
		profile: process.env.BENCH_PROFILE || null
	};
	const year = {
		...(await createBoard(app, 'A year, archived', POSTS, { archived: true })),
		posts: POSTS,
		postsModule: app.posts,
		profile: null
	};
	await app.db.connection.close();

	const port = await findFreePort();
	const origin = `http://127.0.0.1:${port}`;
	const server = spawn(process.execPath, ['--max-semi-space-size=16', path.join(root, 'server.js')], {
		cwd: root,
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: origin, NODE_ENV: 'production' },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	onCleanUp(async () => {
		if (server.exitCode === null) server.kill('SIGTERM');
		await new Promise((resolve) => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)));
	});
	await new Promise((resolve, reject) => {
		server.stdout?.on('data', (chunk) => String(chunk).includes('listening') && resolve(undefined));
		server.on('exit', (code) => reject(new Error(`server exited (${code})`)));
	});

	const browser = await chromium.launch(
		fs.existsSync(SYSTEM_CHROMIUM)
			? {
					executablePath: SYSTEM_CHROMIUM,
					args: [
						'--no-sandbox',
						'--disable-gpu',
						'--disable-background-networking',
						'--disable-component-update',
						'--disable-sync',
						'--no-first-run',
						'--disable-quic',
						'--enable-precise-memory-info'
					]
				}
			: {}
	);
	onCleanUp(() => browser.close());
	const wsBase = `ws://127.0.0.1:${port}/realtime`;
	// Before any page opens a board, so that each room's first open loads it from storage.
	/** @type {Record<string, Awaited<ReturnType<typeof measureServerSync>>>} */
	const serverSync = {};
	for (const [label, board] of /** @type {const} */ ([
		['empty', empty],
		['screen', screen],
		['long', long],
		['year', year]
	]))
		serverSync[label] = await measureServerSync(wsBase, origin, board);
	/** @type {Record<string, Awaited<ReturnType<typeof measureBoard>>[]>} */
	const results = { empty: [], screen: [], long: [], year: [] };
	// Interleaved, so a noisy moment hurts every board alike.
	for (let run = 0; run < RUNS; run++) {
		for (const [label, board] of /** @type {const} */ ([
			['empty', empty],
			['screen', screen],
			['long', long],
			['year', year]
		])) {
			results[label].push(await measureBoard(browser, origin, board, wsBase));
			process.stdout.write('.');
		}
	}
	console.log(
		`\n\nBoard in Chromium at phone width, ${RUNS} page loads each (median (min–max)); load ${os.loadavg()[0].toFixed(1)}`
	);
	const rows = [
		['time to live (ms)', (r) => [r.live]],
		['time to saved (ms)', (r) => r.saved],
		['long tasks opening: count', (r) => [r.openingTasks.length]],
		['long tasks opening: max (ms)', (r) => [Math.max(0, ...r.openingTasks)]],
		['long tasks typing: max (ms)', (r) => [Math.max(0, ...r.typingTasks)]],
		['long tasks posting: max (ms)', (r) => [Math.max(0, ...r.postingTasks)]],
		['long tasks receiving: max (ms)', (r) => [Math.max(0, ...r.receivingTasks)]],
		['bytes received opening (kB)', (r) => [r.bytes / 1024]],
		['JS heap when live (MB)', (r) => [r.heap / 1048576]]
	];
	console.log(
		`${'figure'.padEnd(32)} ${'empty board'.padEnd(18)} ${'30 posts'.padEnd(18)} ${`${POSTS} on the board`.padEnd(18)} ${`${POSTS}, archived`.padEnd(18)} ratios to empty / to 30 (on the board; archived)`
	);
	const serverRows = [
		['server: cold open → synced (ms)', (r) => [r.cold]],
		['server: warm open → synced (ms)', (r) => r.warm],
		['server: bytes to synced (kB)', (r) => [r.bytes / 1024]]
	];
	for (const [label, pick] of [...serverRows, ...rows]) {
		const [a, s, b, y] = ['empty', 'screen', 'long', 'year'].map((board) =>
			label.startsWith('server:') ? pick(serverSync[board]) : results[board].flatMap(pick)
		);
		const ratio = (/** @type {number[]} */ value, /** @type {number[]} */ base) =>
			median(base) > 0 ? (median(value) / median(base)).toFixed(2) : '—';
		console.log(
			`${label.padEnd(32)} ${spread(a).padEnd(18)} ${spread(s).padEnd(18)} ${spread(b).padEnd(18)} ${spread(y).padEnd(18)} ${ratio(b, a)} / ${ratio(b, s)}; ${ratio(y, a)} / ${ratio(y, s)}`
		);
	}
}

try {
	await main();
} catch (error) {
	console.error(error);
	process.exitCode = 1;
} finally {
	await cleanUp();
}
