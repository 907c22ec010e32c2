import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Plugin } from 'vite';

// Loaded by Vite's config loader, which knows nothing of `$lib` or `$env`: so this file imports no app
// module and reaches the realtime server the way server.js does, through the registry.
const REALTIME_REGISTRY = Symbol.for('hearth.realtime');
const PATH_PREFIX = '/realtime/';
// SvelteKit runs the init hook (which starts realtime) on the first page request after `vite dev` starts.
// A socket that arrives before that (a tab left open across a restart) waits this long, then is dropped
// and reconnects with backoff; Vite's client reloads such tabs anyway.
const WAIT_FOR_INIT_MS = 5_000;

type Registered = { handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean };

function getRegistered(): Registered | undefined {
	return (globalThis as { [REALTIME_REGISTRY]?: Registered })[REALTIME_REGISTRY];
}

/**
 * `vite dev`: serves /realtime/<document> on the dev server's own port with the production handler.
 * `vite build`: see serverBundle below.
 */
export function hearthRealtime(): Plugin[] {
	return [
		{
			name: 'hearth-realtime',
			apply: 'serve',
			configureServer(server) {
				server.httpServer?.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
					if (!(request.url ?? '').startsWith(PATH_PREFIX)) return; // Vite's HMR socket and others
					void handOver(request, socket, head);
				});
			}
		},
		serverBundle()
	];
}

/**
 * Bundles drizzle-orm into the production server build instead of leaving it in node_modules.
 *
 * drizzle-orm is ~hundreds of small ES modules sharing one package.json whose `exports` map is ~175 KB.
 * Node 24's ESM loader looks up the package scope of every module file it loads (to learn its "type")
 * and, doing so, re-parses that whole `exports` map each time: loading drizzle-orm the usual way costs
 * ~0.5 s and ~170 MB of short-lived objects, which makes V8 grow the young generation to its maximum
 * (2 × 64 MB semi-spaces) and keep it: the server sat at ~270 MB RSS before its first socket. Bundled,
 * drizzle-orm is a few chunks of our own build and none of that happens. (Node 20 caches the parse; the
 * cost appeared with Node 24's package.json reader.) Only the server build is affected; `vite dev` and
 * Vitest keep loading drizzle-orm from node_modules.
 */
function serverBundle(): Plugin {
	return {
		name: 'hearth-server-bundle',
		apply: 'build',
		config() {
			return { ssr: { noExternal: ['drizzle-orm'] } };
		}
	};
}

async function handOver(request: IncomingMessage, socket: Duplex, head: Buffer) {
	const deadline = Date.now() + WAIT_FOR_INIT_MS;
	let registered = getRegistered();
	while (!registered && Date.now() < deadline && !socket.destroyed) {
		await new Promise((resolve) => setTimeout(resolve, 100));
		registered = getRegistered();
	}
	if (!registered || !registered.handleUpgrade(request, socket, head)) socket.destroy();
}
