// "Message my facilitators now" never hangs and never lies: the member's request returns in seconds even
// when the mail server accepts the connection and then says nothing; how the email went is written onto
// the alert, where facilitators see it; the message and its alert are stored together or not at all.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careDocumentName, staffDocumentName } from '$lib/board/document-names';
import { listPosts, type LivePost } from '$lib/board/posts';
import type { Flag } from '$lib/board/schema';
import { getConfig } from '$lib/server/config';
import { connection } from '$lib/server/db';
import { DataKeyring } from '$lib/server/realtime/encryption';
import { readDocument, useKeyringForServerWrites } from '$lib/server/realtime/server-writes';
import { ModerationError } from '$lib/server/moderation/errors';
import { sendUrgentMessage } from '$lib/server/support/urgent';
import { startFakeSmtpServer, type FakeSmtpServer } from '../support/fake-smtp';
import { addFacilitator } from '$lib/server/groups/membership';
import { joinGroup, makeGroup, makeUser, personal } from './groups-fixtures';

const WORDS = 'I am not safe tonight and need someone';
let hanging: FakeSmtpServer;
let working: FakeSmtpServer;

beforeAll(async () => {
	[hanging, working] = await Promise.all([startFakeSmtpServer({ hang: true }), startFakeSmtpServer()]);
	useKeyringForServerWrites(new DataKeyring(randomBytes(32)));
	const config = getConfig();
	config.smtpTimeoutMs = 1000;
	config.origin = 'http://hearth.test';
});

afterAll(async () => {
	await connection.close();
	await Promise.all([hanging.close(), working.close()]);
});

async function readAlerts(groupId: string): Promise<Flag[]> {
	const staff = await readDocument(staffDocumentName(groupId));
	try {
		return [...staff.getMap('flags').values()] as Flag[];
	} finally {
		staff.destroy();
	}
}

async function readUrgentPosts(groupId: string, memberId: string) {
	const care = await readDocument(careDocumentName(groupId, memberId));
	try {
		return listPosts(care).filter((post): post is LivePost => post.state === 'live' && post.kind === 'urgent');
	} finally {
		care.destroy();
	}
}

async function waitForAlert(groupId: string, predicate: (alert: Flag) => boolean, timeoutMs: number): Promise<Flag> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = (await readAlerts(groupId)).find(predicate);
		if (found) return found;
		if (Date.now() > deadline) throw new Error('the alert never reached the expected state');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('a mail server that accepts and never answers', () => {
	it(
		'does not hold up the member; the failed email shows on the alert for the facilitators',
		{ timeout: 30_000 },
		async () => {
			getConfig().smtpUrl = hanging.url;
			const { group, facilitator } = await makeGroup();
			const member = await joinGroup(group.id, facilitator.id);

			const started = Date.now();
			const result = await sendUrgentMessage({ groupId: group.id, userId: member.id, body: WORDS });
			expect(Date.now() - started).toBeLessThan(2_000);
			expect(result.emailing).toBe(true);

			// The facilitators already have the alert, and the member's words are in the care space.
			const [alert] = await readAlerts(group.id);
			expect(alert).toMatchObject({ postId: result.postId, status: 'open', email: 'sending' });
			expect((await readUrgentPosts(group.id, member.id)).map((post) => post.body)).toEqual([WORDS]);

			const failed = await waitForAlert(group.id, (a) => a.email !== 'sending', 15_000);
			expect(failed.email).toBe('failed');
			expect(hanging.connections).toBeGreaterThan(0);
		}
	);
});

describe('a mail server that works', () => {
	it('emails each facilitator and records it as sent', { timeout: 30_000 }, async () => {
		getConfig().smtpUrl = working.url;
		const { group, facilitator } = await makeGroup();
		const coFacilitator = await makeUser('staff', 'Doctor Ash Fenwick');
		await addFacilitator({
			groupId: group.id,
			actorId: facilitator.id,
			userId: coFacilitator.id,
			kind: 'medical_provider'
		});
		const member = await joinGroup(group.id, facilitator.id);

		const result = await sendUrgentMessage({ groupId: group.id, userId: member.id, body: WORDS });
		const sent = await waitForAlert(group.id, (a) => a.email !== 'sending', 15_000);
		expect(sent).toMatchObject({ postId: result.postId, email: 'sent' });

		// One email per facilitator, each addressed to that person alone (no list of who else was told).
		const addresses = [facilitator.email, coFacilitator.email];
		const mails = working.received.filter((mail) => addresses.some((address) => mail.to.join().includes(address)));
		expect(mails).toHaveLength(2);
		for (const mail of mails) {
			expect(mail.to).toHaveLength(1);
			const others = addresses.filter((address) => !mail.to[0].includes(address));
			expect(others).toHaveLength(1);
			// What leaves the practice, headers included, names nobody (not even who else was told), no group,
			// and quotes nothing.
			for (const secret of [
				WORDS,
				member.displayName,
				member.email,
				personal.groupName,
				personal.typedName,
				...others
			]) {
				expect(mail.data).not.toContain(secret);
			}
			expect(mail.data).toContain('http://hearth.test');
		}
	});
});

describe('no mail server configured', () => {
	it('promises no email', async () => {
		getConfig().smtpUrl = undefined;
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		const result = await sendUrgentMessage({ groupId: group.id, userId: member.id, body: WORDS });
		expect(result.emailing).toBe(false);
		const [alert] = await readAlerts(group.id);
		expect(alert.email).toBeUndefined();
	});
});

describe('when the staff space cannot be written', () => {
	it('stores neither the message nor the alert, and tells the member nothing was sent', async () => {
		getConfig().smtpUrl = undefined;
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		// A real PostgreSQL failure, for the staff document only.
		await connection.db.execute(sql`
			create or replace function refuse_staff_rows() returns trigger language plpgsql as $$
			begin
				if new.document like 'staff:%' then raise exception 'the staff space is unavailable'; end if;
				return new;
			end $$`);
		await connection.db.execute(
			sql`create trigger refuse_staff_rows before insert on realtime_update for each row execute function refuse_staff_rows()`
		);
		try {
			const refusal = await sendUrgentMessage({ groupId: group.id, userId: member.id, body: WORDS }).catch(
				(error) => error
			);
			expect(refusal).toBeInstanceOf(ModerationError);
			expect(refusal.message).toMatch(/nothing was sent/);
		} finally {
			await connection.db.execute(sql`drop trigger refuse_staff_rows on realtime_update`);
		}
		expect(await readUrgentPosts(group.id, member.id)).toEqual([]);
		expect(await readAlerts(group.id)).toEqual([]);
	});
});
