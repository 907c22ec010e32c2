// A second Hearth process for realtime tests: the app's own realtime wiring (src/lib/server/realtime/
// index.ts, configured from the environment like the real server: DATABASE_URL, HEARTH_DATA_KEY,
// ORIGIN) behind a plain http server on PORT, exactly as server.js hands it upgrades. Needs no build
// (see tests/support/app-modules.js). Prints "ready" once it accepts sockets.
import http from 'node:http';
import { createAppModuleLoader } from './app-modules.js';

const vite = await createAppModuleLoader();
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
