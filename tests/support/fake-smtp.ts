// A tiny SMTP server for tests: it speaks just enough SMTP for one message at a time and keeps what it
// received, so a test reads exactly what would leave the practice. `hang: true` accepts connections and
// never says a word, like a mail server that is up but stuck. `refuse: n` turns the first n messages away
// (451, "try again later") after their data, as a mail server with a passing problem does.
import net from 'node:net';

export interface ReceivedMail {
	from: string;
	to: string[];
	data: string;
}

export interface FakeSmtpServer {
	url: string;
	received: ReceivedMail[];
	/** Connections accepted so far. */
	connections: number;
	close(): Promise<void>;
}

export async function startFakeSmtpServer(
	options: { hang?: boolean; refuse?: number; onMail?: (mail: ReceivedMail) => void } = {}
): Promise<FakeSmtpServer> {
	let refusals = options.refuse ?? 0;
	const received: ReceivedMail[] = [];
	const sockets = new Set<net.Socket>();
	const state = { connections: 0 };
	const server = net.createServer((socket) => {
		state.connections++;
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => {});
		if (options.hang) return;
		let buffer = '';
		let inData = false;
		let current: ReceivedMail = { from: '', to: [], data: '' };
		socket.write('220 test.local ESMTP\r\n');
		socket.on('data', (chunk) => {
			buffer += chunk.toString('utf8');
			for (;;) {
				if (inData) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end === -1) return;
					current.data = buffer.slice(0, end);
					buffer = buffer.slice(end + 5);
					inData = false;
					if (refusals > 0) {
						refusals--;
						current = { from: '', to: [], data: '' };
						socket.write('451 Try again later\r\n');
						continue;
					}
					received.push(current);
					options.onMail?.(current);
					current = { from: '', to: [], data: '' };
					socket.write('250 OK queued\r\n');
					continue;
				}
				const lineEnd = buffer.indexOf('\r\n');
				if (lineEnd === -1) return;
				const line = buffer.slice(0, lineEnd);
				buffer = buffer.slice(lineEnd + 2);
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO' || verb === 'HELO') socket.write('250 test.local\r\n');
				else if (verb === 'MAIL') {
					current.from = line;
					socket.write('250 OK\r\n');
				} else if (verb === 'RCPT') {
					current.to.push(line);
					socket.write('250 OK\r\n');
				} else if (verb === 'DATA') {
					inData = true;
					socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
				} else if (verb === 'QUIT') {
					socket.end('221 Bye\r\n');
				} else socket.write('250 OK\r\n');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	return {
		url: `smtp://127.0.0.1:${port}`,
		received,
		get connections() {
			return state.connections;
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		}
	};
}

/**
 * For a test file whose app modules send mail: starts a fake server before its tests and points Hearth at
 * it (configuration is read once, on first use, so app modules must be imported inside the tests), and
 * closes it and the database after. Returns a getter for the server.
 */
export function useFakeSmtpServer(hooks: {
	beforeAll(fn: () => Promise<void>): void;
	afterAll(fn: () => Promise<void>): void;
}): () => FakeSmtpServer {
	let server: FakeSmtpServer;
	hooks.beforeAll(async () => {
		server = await startFakeSmtpServer();
		process.env.SMTP_URL = server.url;
		process.env.HEARTH_MAIL_FROM = 'Hearth <no-reply@hearth.test>';
	});
	hooks.afterAll(async () => {
		const { connection } = await import('$lib/server/db');
		await connection.close();
		await server.close();
	});
	return () => server;
}
