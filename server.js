// Production entry: one HTTP server on one port serves SvelteKit's pages and the realtime WebSocket.
// Importing build/handler.js runs SvelteKit's init hook (database migrations, realtime set-up) first.
import http from 'node:http';

/** @type {import('http').RequestListener} */
let handler;
try {
	({ handler } = await import('./build/handler.js'));
} catch (error) {
	// A refusal (realtime/key-check.ts) is the operator's to act on: its message says what to do, a stack would bury it.
	if (/** @type {Error} */ (error)?.name !== 'HearthRefusedToStart') throw error;
	console.error(`Hearth did not start. ${/** @type {Error} */ (error).message}`);
	process.exit(1);
}

const REALTIME = Symbol.for('hearth.realtime');
const NOTIFICATIONS = Symbol.for('hearth.notifications');

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
	/** @type {{ close?: () => Promise<void> } | undefined} */
	const notifications = /** @type {any} */ (globalThis)[NOTIFICATIONS];
	server.close();
	server.closeAllConnections();
	// The job queue last: closing sockets may still note notifications; jobs in hand get a moment to finish.
	Promise.resolve(realtime?.close?.())
		.then(() => notifications?.close?.())
		.finally(() => process.exit(0));
}
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
