// Loads Hearth's own TypeScript modules (`$lib/...`) into a plain Node process — a second realtime server
// in tests, the benchmark's set-up — through Vite's SSR loader, used only to compile TypeScript and
// resolve `$lib`. It needs no build and never touches build/ or .svelte-kit/.
import path from 'node:path';
import { createServer } from 'vite';

const root = path.resolve(import.meta.dirname, '../..');

/** A Vite loader for app modules; `close()` it when done. Paths are from the repository root. */
export function createAppModuleLoader() {
	return createServer({
		root,
		configFile: false,
		logLevel: 'error',
		appType: 'custom',
		server: { middlewareMode: true, hmr: false, watch: null, ws: false },
		optimizeDeps: { noDiscovery: true, include: [] },
		resolve: {
			alias: [
				{ find: /^\$lib\//, replacement: `${root}/src/lib/` },
				{ find: /^\$env\/dynamic\/private$/, replacement: `${root}/tests/support/env-dynamic-private.ts` },
				{ find: /^\$app\/environment$/, replacement: `${root}/tests/support/app-environment.ts` }
			]
		}
	});
}
