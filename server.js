// Production entry: one HTTP server on one port serves SvelteKit's pages and the realtime WebSocket.
// Importing build/handler.js runs SvelteKit's init hook (database migrations, realtime set-up) first.
import http from 'node:http';

// V8's young generation. Node 24 lets each of its semi-spaces grow to 64 MiB on a machine with this much
// memory, and under a steady stream of realtime updates it does grow there and stays: ~130 MiB of RSS
// for short-lived objects, about as much again as everything the server keeps (measured with
// `npm run bench:realtime`: peak RSS ~330 MiB with the default, ~230 MiB with 16 MiB, at no cost in
// latency). The limit can only be set when V8 starts (v8.setFlagsFromString is too late for it), so
// without it the process replaces itself, same pid, with one that has it. An operator's own
// --max-semi-space-size (on the command line or in NODE_OPTIONS) is left alone.
const SEMI_SPACE_FLAG = '--max-semi-space-size';
const SEMI_SPACE_MIB = 16;
if (
	typeof process.execve === 'function' &&
	process.platform !== 'win32' &&
	![...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) =>
		flag.replaceAll('_', '-').startsWith(SEMI_SPACE_FLAG)
	)
) {
	process.execve(process.execPath, [
		process.execPath,
		`${SEMI_SPACE_FLAG}=${SEMI_SPACE_MIB}`,
		...process.execArgv,
		...process.argv.slice(1)
	]);
}

const { handler } = await import('./build/handler.js');

const REALTIME = Symbol.for('hearth.realtime');

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';

const server = http.createServer(handler);

// The realtime server (src/lib/server/realtime/index.ts) registers itself here during init; it answers
// /realtime/ paths and returns false for anything else, which no one here serves.
server.on('upgrade', (request, socket, head) => {
	/** @type {{ handleUpgrade: (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => boolean } | undefined} */
	const realtime = /** @type {any} */ (globalThis)[REALTIME];
	if (!realtime?.handleUpgrade(request, socket, head)) socket.destroy();
});

server.listen(port, host, () => {
	const origin = process.env.ORIGIN || `http://localhost:${port}`;
	console.log(`Hearth is listening on ${origin}`);
});

let closing = false;
function shutDown() {
	if (closing) return;
	closing = true;
	/** @type {{ close?: () => Promise<void> } | undefined} */
	const realtime = /** @type {any} */ (globalThis)[REALTIME];
	server.close();
	server.closeAllConnections();
	Promise.resolve(realtime?.close?.()).finally(() => process.exit(0));
}
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
