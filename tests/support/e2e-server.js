// Playwright's web server: the built app (`node server.js`) on a brand-new installation, so every
// journey run starts from the first-run setup. The database is a private PostgreSQL server started
// for the run (TEST_DATABASE_URL's server when set), or the app's own embedded PostgreSQL (what `npm start`
// runs) when PostgreSQL is not installed or HEARTH_E2E_DATABASE=embedded. The data directory is a fresh one under .tmp/.
// On SIGTERM/SIGINT (Playwright's gracefulShutdown) it stops the app, then removes the database.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { databaseUrl, findPostgresBinaries, quoteIdentifier, startTestPostgres } from './postgres.js';
import { SETUP_CODE_FILE, findSetupCode } from './e2e-setup-code.js';
import { E2E_MAIL_DIR } from './e2e-mail.js';
import { startFakeSmtpServer } from './fake-smtp.ts';

const root = path.resolve(import.meta.dirname, '../..');
/** @param {string} message */
const log = (message) => console.error(`[e2e server] ${message}`);

if (!fs.existsSync(path.join(root, 'build', 'handler.js'))) {
	log('build/ is missing: run `npm run build` first (`npm run test:e2e` does).');
	process.exit(1);
}

fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dataDir = fs.mkdtempSync(path.join(root, '.tmp', 'e2e-'));
// As root the embedded server runs as the postgres user, which must be able to enter it.
fs.chmodSync(dataDir, 0o755);
/** @type {Array<() => Promise<void>>} */
const cleanups = [
	async () => fs.rmSync(dataDir, { recursive: true, force: true }),
	async () => fs.rmSync(SETUP_CODE_FILE, { force: true })
];

async function cleanUp() {
	for (const cleanup of cleanups.splice(0).reverse()) {
		await cleanup().catch((error) => log(`clean-up failed: ${error}`));
	}
}

/** @returns {Promise<string | undefined>} the app's DATABASE_URL; undefined for the embedded default */
async function prepareDatabase() {
	const wanted = process.env.HEARTH_E2E_DATABASE ?? 'postgres';
	if (wanted === 'embedded') return undefined;
	if (!process.env.TEST_DATABASE_URL && !findPostgresBinaries()) {
		log('PostgreSQL is not installed: the journeys run on the embedded default instead.');
		return undefined;
	}
	const server = await startTestPostgres({ log });
	cleanups.push(server.stop);
	const name = server.external ? `hearth_e2e_${randomBytes(4).toString('hex')}` : 'hearth';
	const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(`create database ${quoteIdentifier(name)}`);
	} finally {
		await admin.end({ timeout: 5 });
	}
	if (server.external) {
		cleanups.push(async () => {
			const sql = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
			await sql.unsafe(`drop database if exists ${quoteIdentifier(name)} with (force)`);
			await sql.end({ timeout: 5 });
		});
	}
	return databaseUrl(server.adminUrl, name);
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let app;
let stopping = false;

/** @param {NodeJS.Signals} signal */
function stop(signal) {
	if (stopping) return;
	stopping = true;
	// Before the app is spawned, the start-up below notices `stopping` and cleans up itself.
	if (app?.exitCode === null) app.kill(signal);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

try {
	const url = await prepareDatabase();
	log(url ? `PostgreSQL database ${new URL(url).pathname.slice(1)}` : `embedded PostgreSQL in ${dataDir}`);
	// Every email the app sends lands in E2E_MAIL_DIR, one file each, for the journeys to read.
	fs.rmSync(E2E_MAIL_DIR, { recursive: true, force: true });
	fs.mkdirSync(E2E_MAIL_DIR, { recursive: true });
	let mailCount = 0;
	const smtp = await startFakeSmtpServer({
		onMail: (mail) =>
			fs.writeFileSync(path.join(E2E_MAIL_DIR, `${String(++mailCount).padStart(5, '0')}.json`), JSON.stringify(mail))
	});
	cleanups.push(smtp.close);
	/** @type {NodeJS.ProcessEnv} */
	const env = { ...process.env, HEARTH_DATA_DIR: dataDir, SMTP_URL: smtp.url };
	// Never the developer's own database, whatever the shell says.
	if (url) env.DATABASE_URL = url;
	else delete env.DATABASE_URL;
	if (stopping) throw new Error('stopped before the app started');

	fs.rmSync(SETUP_CODE_FILE, { force: true });
	app = spawn(process.execPath, ['--max-semi-space-size=16', 'server.js'], {
		cwd: root,
		env,
		stdio: ['ignore', 'pipe', 'inherit']
	});
	// The app's console passes through; the setup code it prints goes where first-run.setup.ts reads it.
	/** @type {string | null} */
	let printed = '';
	app.stdout?.on('data', (chunk) => {
		process.stdout.write(chunk);
		if (printed === null) return;
		printed += String(chunk);
		const code = findSetupCode(printed);
		if (code) {
			fs.writeFileSync(SETUP_CODE_FILE, code);
			printed = null;
		}
	});
	const [code, signal] = await new Promise((resolve) => {
		app?.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
	});
	if (!stopping) log(`the app exited by itself (code ${code}, signal ${signal})`);
	await cleanUp();
	process.exit(stopping ? 0 : (code ?? 1));
} catch (error) {
	log(error instanceof Error ? (error.stack ?? error.message) : String(error));
	await cleanUp();
	process.exit(1);
}
