import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter(),
		// Test helpers (tests/support), importable from specs beside the code as `$test/database`.
		alias: { $test: 'tests/support' },
		// Links are built with `resolve()` from $app/paths. Hearth is served at the root, so paths stay absolute:
		// the server renders `/groups/…` as the browser does, not `../groups/…` relative to each page.
		paths: { relative: false },
		// src/service-worker.ts keeps the app shell only; ServiceWorkerUpdate.svelte registers it so that a new
		// version can wait for the person to choose to reload.
		serviceWorker: { register: false },
		// Nonces for SvelteKit's own inline scripts; nothing else may run or load from elsewhere.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self'],
				// Style attributes cannot run code; Svelte sets them for transitions and progress bars.
				'style-src-attr': ['unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'worker-src': ['self'],
				'manifest-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['none'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
