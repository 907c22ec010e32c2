import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { hearthRealtime } from './src/lib/server/realtime/vite-plugin.ts';

export default defineConfig({
	plugins: [tailwindcss(), sveltekit(), hearthRealtime()],
	server: {
		watch: {
			// The embedded database writes here constantly; each write would otherwise reload the page.
			ignored: ['**/data/**', '**/.tmp/**']
		}
	},
	test: {
		include: ['src/**/*.spec.ts', 'tests/integration/**/*.spec.ts'],
		environment: 'node',
		expect: { requireAssertions: true },
		// One PostgreSQL server and migrated template per run; one database per test file.
		globalSetup: ['tests/support/vitest-global-setup.ts'],
		setupFiles: ['tests/support/vitest-setup-database.ts'],
		alias: [
			{
				find: /^\$env\/dynamic\/private$/,
				replacement: fileURLToPath(new URL('tests/support/env-dynamic-private.ts', import.meta.url))
			}
		]
	}
});
