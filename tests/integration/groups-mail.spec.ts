// Invitation email against a tiny SMTP server written here: it speaks just enough SMTP for one
// message and keeps what it received, so the test reads exactly what would leave the practice.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';

interface Received {
	from: string;
	to: string[];
	data: string;
}
const received: Received[] = [];

function startSmtpServer(): Promise<net.Server> {
	const server = net.createServer((socket) => {
		let buffer = '';
		let inData = false;
		let current: Received = { from: '', to: [], data: '' };
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
					received.push(current);
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
		socket.on('error', () => {});
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: net.Server;
beforeAll(async () => {
	server = await startSmtpServer();
	const { port } = server.address() as net.AddressInfo;
	// Configuration is read once, on first use: set it before any app module asks.
	process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
	process.env.HEARTH_MAIL_FROM = 'Hearth <no-reply@hearth.test>';
});
afterAll(async () => {
	const { connection } = await import('$lib/server/db');
	await connection.close();
	await new Promise((resolve) => server.close(resolve));
});

it('mails the link with a subject and body that name no group and no person', async () => {
	const { createInvitation } = await import('$lib/server/invitations');
	const { ORIGIN, makeGroup, personal } = await import('./groups-fixtures');
	const { group, facilitator } = await makeGroup();

	const created = await createInvitation({
		groupId: group.id,
		actorId: facilitator.id,
		email: personal.email,
		note: personal.note,
		origin: ORIGIN
	});

	expect(created.mail).toBe('sent');
	expect(received).toHaveLength(1);
	const [message] = received;
	expect(message.to.join()).toContain(personal.email);
	expect(message.data).toMatch(/^Subject: You have an invitation$/m);
	// Quoted-printable may wrap long lines; unwrap before looking for the link.
	const body = message.data.replace(/=\r\n/g, '').replace(/=3D/g, '=');
	expect(body).toContain(created.link);
	for (const secret of [personal.groupName, personal.staffName, personal.note, personal.memberName, 'Juniper', 'Rowan']) {
		expect(message.data).not.toContain(secret);
	}
});

it('still gives the facilitator the link when the mail server is unreachable', async () => {
	const { createInvitation } = await import('$lib/server/invitations');
	const { getConfig } = await import('$lib/server/config');
	const { ORIGIN, makeGroup, personal } = await import('./groups-fixtures');
	const { group, facilitator } = await makeGroup();
	const config = getConfig();
	const working = config.smtpUrl;
	config.smtpUrl = 'smtp://127.0.0.1:1';
	try {
		const created = await createInvitation({ groupId: group.id, actorId: facilitator.id, email: personal.email, note: '', origin: ORIGIN });
		expect(created.mail).toBe('failed');
		expect(created.link).toMatch(/^http:\/\/hearth\.test\/invite\/[a-z2-7]{32}$/);
	} finally {
		config.smtpUrl = working;
	}
});
