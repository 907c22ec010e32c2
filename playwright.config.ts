import fs from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const PORT = 4173;
const ORIGIN = `http://localhost:${PORT}`;

// Playwright cannot download its browsers on these machines; Debian's chromium works as well.
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const launchOptions = fs.existsSync(SYSTEM_CHROMIUM)
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
				// Containers often give /dev/shm only 64 MB; a renderer that runs out of it crashes the page.
				'--disable-dev-shm-usage'
			]
		}
	: {};

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results',
	// Journeys share one installation (first-run setup creates the admin the others sign in as) and the
	// machines have two cores: one browser at a time.
	workers: 1,
	fullyParallel: false,
	forbidOnly: !!process.env.CI,
	// A journey whose browser page crashed (it happened once in 38 × many runs, outside our code) gets one
	// more go on CI; the report still lists it as flaky. Locally a failure stays a failure.
	retries: process.env.CI ? 1 : 0,
	reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
	use: {
		baseURL: ORIGIN,
		launchOptions,
		screenshot: 'only-on-failure',
		trace: 'retain-on-failure'
	},
	projects: [
		{ name: 'first run', testMatch: /.*\.setup\.ts$/, use: { ...devices['Desktop Chrome'] } },
		{
			name: 'journeys',
			testMatch: /.*\.spec\.ts$/,
			dependencies: ['first run'],
			use: { ...devices['Desktop Chrome'] }
		}
	],
	webServer: {
		// Starts PostgreSQL (or the embedded default) and `node server.js` on a fresh installation.
		command: 'node tests/support/e2e-server.js',
		url: ORIGIN,
		// A leftover server would carry an old database into the journeys.
		reuseExistingServer: false,
		timeout: 120_000,
		gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
		stdout: 'pipe',
		env: { PORT: String(PORT), HOST: '127.0.0.1', ORIGIN }
	}
});
