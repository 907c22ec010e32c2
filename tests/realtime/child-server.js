// A second Hearth process for realtime tests: the app's own realtime wiring (src/lib/server/realtime/
// index.ts, configured from the environment like the real server: DATABASE_URL, HEARTH_DATA_KEY,
// ORIGIN) behind a plain http server on PORT, exactly as server.js hands it upgrades. Loaded through
// Vite's SSR loader only to compile TypeScript and resolve `$lib`, so it needs no build and never
// touches build/ or .svelte-kit/. Prints "ready" once it accepts sockets.
import http from 'node:http';
import path from 'node:path';
import { createServer } from 'vite';

const root = path.resolve(import.meta.dirname, '../..');
const vite = await createServer({
	root,
	configFile: false,
	logLevel: 'error',
	appType: 'custom',
	server: { middlewareMode: true, hmr: false, watch: null, ws: false },
	optimizeDeps: { noDiscovery: true, include: [] },
	resolve: {
		alias: [
			{ find: /^\$lib\//, replacement: `${root}/src/lib/` },
			{ find: /^\$env\/dynamic\/private$/, replacement: `${root}/tests/support/env-dynamic-private.ts` }
		]
	}
});
const { startRealtime } = await vite.ssrLoadModule('/src/lib/server/realtime/index.ts');
await startRealtime();

const REALTIME = Symbol.for('hearth.realtime');
const server = http.createServer((_request, response) => response.writeHead(404).end());
server.on('upgrade', (request, socket, head) => {
	/** @type {any} */
	const realtime = /** @type {any} */ (globalThis)[REALTIME];
	if (!realtime?.handleUpgrade(request, socket, head)) socket.destroy();
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
