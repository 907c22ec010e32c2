// The journeys' mail server: the e2e server (e2e-server.js) points the app's SMTP_URL at a fake SMTP
// server (fake-smtp.ts) that writes each message it receives into E2E_MAIL_DIR, where a journey reads
// exactly what would have left the practice.
import fs from 'node:fs';
import path from 'node:path';

export const E2E_MAIL_DIR = path.resolve(import.meta.dirname, '../../.tmp/e2e-mail');

/**
 * Every message received so far, with its envelope recipients.
 * @returns {{ to: string[]; data: string }[]}
 */
export function readE2eMail() {
	if (!fs.existsSync(E2E_MAIL_DIR)) return [];
	return fs
		.readdirSync(E2E_MAIL_DIR)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => JSON.parse(fs.readFileSync(path.join(E2E_MAIL_DIR, name), 'utf8')));
}
