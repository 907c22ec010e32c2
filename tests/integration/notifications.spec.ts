// Notifications against a real PostgreSQL and a real job queue (pg-boss): who is told of what (never of
// their own doing, never of what they may not see), that only an explicit action marks them read, and
// the email — by each person's settings and quiet hours, naming nothing, sent once however many
// processes run the queue, and retried when the mail server fails.
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupDocumentName } from '$lib/board/document-names';
import { createPost } from '$lib/board/posts';
import { getConfig } from '$lib/server/config';
import { connection, db } from '$lib/server/db';
import { groupMember, notification, programSession } from '$lib/server/db/schema';
import { changeLifecycle } from '$lib/server/groups/groups';
import { removeMember } from '$lib/server/groups/membership';
import { flagPost } from '$lib/server/moderation/flags';
import {
	countUnread,
	createNotificationQueue,
	listNotifications,
	markAllRead,
	markRead,
	notify,
	startNotifications,
	stopNotifications
} from '$lib/server/notifications';
import { notifyBoardFacts } from '$lib/server/notifications/board-facts';
import {
	NOTIFICATION_EMAIL_SUBJECT,
	deliverEmail,
	planEmail,
	quietHoursEnd,
	requestEmails,
	getEmailSettings,
	saveEmailSettings,
	type EmailSettings
} from '$lib/server/notifications/email';
import { getNotificationQueue } from '$lib/server/notifications/queue';
import { remindSessionsStartingSoon } from '$lib/server/notifications/reminders';
import { DataKeyring } from '$lib/server/realtime/encryption';
import { changeDocument, useKeyringForServerWrites } from '$lib/server/realtime/server-writes';
import { sendUrgentMessage } from '$lib/server/support/urgent';
import { getTestDatabaseUrl } from '../support/database';
import { startFakeSmtpServer, type FakeSmtpServer } from '../support/fake-smtp';
import { joinGroup, makeGroup, personal } from './groups-fixtures';

const POST_WORDS = 'The river came back to me during the journey';
let smtp: FakeSmtpServer;

beforeAll(async () => {
	smtp = await startFakeSmtpServer();
	useKeyringForServerWrites(new DataKeyring(randomBytes(32)));
	const config = getConfig();
	config.smtpUrl = smtp.url;
	config.smtpTimeoutMs = 2000;
	config.origin = 'http://hearth.test';
	await startNotifications({
		databaseUrl: getTestDatabaseUrl(),
		retryDelaySeconds: 1,
		pollingIntervalSeconds: 0.5,
		schedule: false
	});
}, 60_000);

afterAll(async () => {
	await stopNotifications();
	await smtp.close();
	await connection.close();
}, 30_000);

async function circle() {
	const { group, facilitator } = await makeGroup();
	const ada = await joinGroup(group.id, facilitator.id);
	const bea = await joinGroup(group.id, facilitator.id);
	return { groupId: group.id, facilitator, ada, bea };
}

async function kindsFor(userId: string) {
	return (await listNotifications(userId)).map((item) => item.kind);
}

function mailTo(server: FakeSmtpServer, email: string) {
	return server.received.filter((mail) => mail.to.some((line) => line.includes(email)));
}

async function waitUntil<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (ok(value)) return value;
		if (Date.now() > deadline) throw new Error('the expected state never came');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('board changes', () => {
	it('a reply tells the author of the post, and no one else; their own reply tells no one', async () => {
		const { groupId, facilitator, ada, bea } = await circle();
		const document = { kind: 'group', groupId } as const;
		await notifyBoardFacts([
			{ document, userId: bea.id, facts: [{ kind: 'reply', postId: 'r1', parentId: 'p1', parentAuthorId: ada.id }] },
			{ document, userId: ada.id, facts: [{ kind: 'reply', postId: 'r2', parentId: 'p1', parentAuthorId: ada.id }] }
		]);
		const [item] = await listNotifications(ada.id);
		expect(item).toMatchObject({ kind: 'reply', groupId, space: 'group', targetId: 'p1', readAt: null });
		expect(await countUnread(ada.id)).toBe(1);
		expect(await countUnread(bea.id)).toBe(0);
		expect(await countUnread(facilitator.id)).toBe(0);
	});

	it('a "me too" tells the author; a new round tells everyone but the one who opened it', async () => {
		const { groupId, facilitator, ada, bea } = await circle();
		const document = { kind: 'group', groupId } as const;
		await notifyBoardFacts([
			{ document, userId: bea.id, facts: [{ kind: 'metoo', postId: 'p1', postAuthorId: ada.id }] },
			{ document, userId: facilitator.id, facts: [{ kind: 'round_opened', roundId: 'round1' }] }
		]);
		expect(await kindsFor(ada.id)).toEqual(expect.arrayContaining(['metoo', 'round_opened']));
		expect(await kindsFor(bea.id)).toEqual(['round_opened']);
		expect(await kindsFor(facilitator.id)).toEqual([]);
	});

	it('a reply in someone’s care space reaches only who may open it; removed members hear nothing', async () => {
		const { groupId, facilitator, ada, bea } = await circle();
		// Fran answers Ada's facilitators-only post: Ada is told, and where.
		const adaCare = { kind: 'care', groupId, userId: ada.id } as const;
		await notifyBoardFacts([
			{
				document: adaCare,
				userId: facilitator.id,
				facts: [{ kind: 'reply', postId: 'r', parentId: 'p', parentAuthorId: ada.id }]
			}
		]);
		expect(await listNotifications(ada.id)).toEqual([
			expect.objectContaining({ kind: 'reply', space: 'care', careOf: ada.id, targetId: 'p' })
		]);
		// Whatever a change claims, Bea may not open Ada's care space or the staff space: nothing for her.
		await notifyBoardFacts([
			{
				document: adaCare,
				userId: facilitator.id,
				facts: [{ kind: 'reply', postId: 'r', parentId: 'p', parentAuthorId: bea.id }]
			},
			{
				document: { kind: 'staff', groupId },
				userId: facilitator.id,
				facts: [{ kind: 'metoo', postId: 'n', postAuthorId: bea.id }]
			}
		]);
		expect(await countUnread(bea.id)).toBe(0);
		// Once removed, Ada hears nothing more from the group.
		await removeMember({ groupId, actorId: facilitator.id, userId: ada.id });
		await notifyBoardFacts([
			{
				document: { kind: 'group', groupId },
				userId: bea.id,
				facts: [{ kind: 'reply', postId: 'r3', parentId: 'p3', parentAuthorId: ada.id }]
			}
		]);
		expect(await countUnread(ada.id)).toBe(1);
	});
});

describe('the group’s own events', () => {
	it('the move to alumni tells the members, not the facilitator who made it', async () => {
		const { groupId, facilitator, ada, bea } = await circle();
		await changeLifecycle({ groupId, actorId: facilitator.id, to: 'active' });
		expect(await countUnread(ada.id)).toBe(0);
		await changeLifecycle({ groupId, actorId: facilitator.id, to: 'alumni' });
		expect(await kindsFor(ada.id)).toEqual(['moved_to_alumni']);
		expect(await kindsFor(bea.id)).toEqual(['moved_to_alumni']);
		expect(await kindsFor(facilitator.id)).toEqual([]);
	});

	it('flags and urgent messages reach the facilitators, urgent ones first', { timeout: 30_000 }, async () => {
		const { groupId, facilitator, ada, bea } = await circle();
		const postId = await changeDocument(groupDocumentName(groupId), (doc) =>
			createPost(doc, { authorId: ada.id, body: POST_WORDS })
		);
		await sendUrgentMessage({ groupId, userId: bea.id, body: 'I need someone tonight' });
		await flagPost({ groupId, userId: bea.id, postId });
		const items = await listNotifications(facilitator.id);
		// The flag is newer, the urgent message still comes first while unread.
		expect(items.map((item) => item.kind)).toEqual(['urgent_message', 'flag']);
		expect(items.every((item) => item.space === 'staff')).toBe(true);
		expect(await countUnread(ada.id)).toBe(0);
		expect(await countUnread(bea.id)).toBe(0);
	});

	it('“starting soon” is said once per session per person, however often the reminder runs', async () => {
		const { groupId, facilitator, ada } = await circle();
		const [first] = await db
			.select()
			.from(programSession)
			.where(eq(programSession.groupId, groupId))
			.orderBy(programSession.startsAt)
			.limit(1);
		const now = new Date(first.startsAt.getTime() - 60 * 60 * 1000);
		const early = new Date(first.startsAt.getTime() - 24 * 60 * 60 * 1000);
		await remindSessionsStartingSoon(early);
		expect(await countUnread(ada.id)).toBe(0);
		await Promise.all([remindSessionsStartingSoon(now), remindSessionsStartingSoon(now)]);
		await remindSessionsStartingSoon(new Date(now.getTime() + 5 * 60 * 1000));
		expect(await listNotifications(ada.id)).toEqual([
			expect.objectContaining({ kind: 'session_soon', targetId: first.id })
		]);
		expect(await kindsFor(facilitator.id)).toEqual(['session_soon']);
	});
});

describe('read state', () => {
	it('changes only by the person’s explicit action, and only for their own notifications', async () => {
		const { groupId, ada, bea } = await circle();
		await notify([ada.id, bea.id], 'round_opened', groupId, { space: 'group', targetId: 'x' });
		await notify([ada.id], 'metoo', groupId, { space: 'group', targetId: 'y' });
		// Reading the list is not reading them.
		await listNotifications(ada.id);
		await listNotifications(ada.id);
		expect(await countUnread(ada.id)).toBe(2);
		const [adaFirst] = await listNotifications(ada.id);
		// Bea cannot mark Ada's.
		expect(await markRead(bea.id, adaFirst.id)).toBe(false);
		expect(await countUnread(ada.id)).toBe(2);
		expect(await markRead(ada.id, adaFirst.id)).toBe(true);
		expect(await countUnread(ada.id)).toBe(1);
		expect(await markAllRead(ada.id)).toBe(1);
		expect(await countUnread(ada.id)).toBe(0);
		expect(await countUnread(bea.id)).toBe(1);
	});
});

describe('email', () => {
	const berlin = (settings: Partial<EmailSettings>): EmailSettings => ({
		email: 'each',
		timeZone: 'Europe/Berlin',
		quietStart: 22 * 60,
		quietEnd: 7 * 60,
		...settings
	});

	it('waits for the end of quiet hours, in the person’s own time zone', () => {
		// 23:30 in Berlin (UTC+1 in January) is 22:30 UTC.
		const night = new Date('2027-01-14T22:30:00Z');
		expect(quietHoursEnd(berlin({}), night)?.toISOString()).toBe('2027-01-15T06:00:00.000Z');
		expect(planEmail(berlin({}), night)?.toISOString()).toBe('2027-01-15T06:00:00.000Z');
		const afternoon = new Date('2027-01-14T14:10:00Z');
		expect(planEmail(berlin({}), afternoon)).toEqual(afternoon);
		// Quiet hours within one day, too.
		expect(quietHoursEnd(berlin({ quietStart: 13 * 60, quietEnd: 16 * 60 }), afternoon)?.toISOString()).toBe(
			'2027-01-14T15:00:00.000Z'
		);
		expect(planEmail(berlin({ email: 'off' }), afternoon)).toBeNull();
	});

	it('until a person saves their own, their settings are in the time zone of their group', async () => {
		const { ada } = await circle();
		expect(await getEmailSettings(ada.id)).toEqual({
			email: 'each',
			timeZone: 'Europe/Berlin',
			quietStart: null,
			quietEnd: null
		});
		await saveEmailSettings(ada.id, { email: 'daily', timeZone: 'America/Chicago', quietStart: null, quietEnd: null });
		expect((await getEmailSettings(ada.id)).timeZone).toBe('America/Chicago');
		// Someone in no group yet (a new staff account): UTC until they choose.
		const { facilitator: loner } = await makeGroup();
		await db.delete(groupMember).where(eq(groupMember.userId, loner.id));
		expect((await getEmailSettings(loner.id)).timeZone).toBe('UTC');
	});

	it('a daily digest goes out at 08:00 their time, later if that falls in quiet hours', () => {
		const afternoon = new Date('2027-01-14T14:10:00Z');
		const newYork = { email: 'daily', timeZone: 'America/New_York', quietStart: null, quietEnd: null } as const;
		// 08:00 in New York (UTC-5) the next morning.
		expect(planEmail(newYork, afternoon)?.toISOString()).toBe('2027-01-15T13:00:00.000Z');
		expect(planEmail(berlin({ email: 'daily', quietEnd: 9 * 60 }), afternoon)?.toISOString()).toBe(
			'2027-01-15T08:00:00.000Z'
		);
	});

	it('one email soon after a reply, naming no person, group or words', { timeout: 30_000 }, async () => {
		const { groupId, ada, bea } = await circle();
		await notifyBoardFacts([
			{
				document: { kind: 'group', groupId },
				userId: bea.id,
				facts: [{ kind: 'reply', postId: 'r', parentId: 'p', parentAuthorId: ada.id }]
			}
		]);
		const [mail] = await waitUntil(
			() => mailTo(smtp, ada.email),
			(mails) => mails.length > 0
		);
		expect(mail.data).toContain(`Subject: ${NOTIFICATION_EMAIL_SUBJECT}`);
		expect(mail.data).toContain('There is something new for you in Hearth');
		for (const secret of [personal.memberName, personal.staffName, personal.groupName, POST_WORDS, groupId, bea.id]) {
			expect(mail.data).not.toContain(secret);
		}
		await waitUntil(
			() => db.select().from(notification).where(eq(notification.userId, ada.id)),
			([row]) => row.emailedAt !== null
		);
		expect(mailTo(smtp, ada.email)).toHaveLength(1);
		expect(mailTo(smtp, bea.email)).toEqual([]);
	});

	it('during quiet hours the email waits for their end (injected clock)', async () => {
		const { groupId, ada } = await circle();
		const night = new Date('2027-01-14T22:30:00Z');
		await saveEmailSettings(ada.id, berlin({}), night);
		await notify([ada.id], 'metoo', groupId, { space: 'group', targetId: 'p' });
		await requestEmails([ada.id], night);
		const waiting = (await getNotificationQueue()!.listWaitingEmailJobs()).filter((job) => job.data.userId === ada.id);
		expect(waiting.map((job) => job.startAfter.toISOString())).toContain('2027-01-15T06:00:00.000Z');
		// Run at night anyway (a job that was due before the settings changed): it sends nothing.
		expect(await deliverEmail({ userId: ada.id, mode: 'each' }, night)).toBe('replanned');
		expect(mailTo(smtp, ada.email)).toEqual([]);
		// In the morning, one email.
		expect(await deliverEmail({ userId: ada.id, mode: 'each' }, new Date('2027-01-15T06:01:00Z'))).toBe('sent');
		expect(mailTo(smtp, ada.email)).toHaveLength(1);
		expect(await deliverEmail({ userId: ada.id, mode: 'each' }, new Date('2027-01-15T06:02:00Z'))).toBe('nothing-new');
	});

	it('“off” sends nothing; what was read in Hearth is not emailed', async () => {
		const { groupId, ada, bea } = await circle();
		await saveEmailSettings(ada.id, { email: 'off', timeZone: 'UTC', quietStart: null, quietEnd: null });
		await notify([ada.id], 'metoo', groupId);
		expect(await deliverEmail({ userId: ada.id, mode: 'each' })).toBe('off');
		await saveEmailSettings(bea.id, { email: 'daily', timeZone: 'UTC', quietStart: null, quietEnd: null });
		await notify([bea.id], 'metoo', groupId);
		await markAllRead(bea.id);
		expect(await deliverEmail({ userId: bea.id, mode: 'daily' })).toBe('nothing-new');
		expect([...mailTo(smtp, ada.email), ...mailTo(smtp, bea.email)]).toEqual([]);
	});

	it('two processes running the queue send one email', { timeout: 40_000 }, async () => {
		const { groupId, ada } = await circle();
		// Several processes' workers on the same queue, and two jobs for the same person run at once.
		const other = createNotificationQueue({
			databaseUrl: getTestDatabaseUrl(),
			pollingIntervalSeconds: 0.5,
			schedule: false
		});
		await other.start();
		try {
			await saveEmailSettings(ada.id, { email: 'daily', timeZone: 'UTC', quietStart: null, quietEnd: null });
			await notify([ada.id], 'metoo', groupId);
			const results = await Promise.all([
				deliverEmail({ userId: ada.id, mode: 'daily' }),
				deliverEmail({ userId: ada.id, mode: 'daily' })
			]);
			expect(results.filter((result) => result === 'sent')).toHaveLength(1);
			// And through the queues: both processes ask, one email goes out.
			await saveEmailSettings(ada.id, { email: 'each', timeZone: 'UTC', quietStart: null, quietEnd: null });
			await notify([ada.id], 'round_opened', groupId);
			await other.sendEmailJob({ userId: ada.id, mode: 'each' }, new Date());
			await waitUntil(
				() =>
					db
						.select()
						.from(notification)
						.where(and(eq(notification.userId, ada.id))),
				(rows) => rows.every((row) => row.emailedAt !== null)
			);
			// Give a second send every chance to happen: both queues poll twice a second.
			await new Promise((resolve) => setTimeout(resolve, 2000));
			expect(mailTo(smtp, ada.email)).toHaveLength(2);
		} finally {
			await other.stop();
		}
	});

	it('a mail server that fails for a while gets the email in the end, once', { timeout: 60_000 }, async () => {
		const refusing = await startFakeSmtpServer({ refuse: 2 });
		getConfig().smtpUrl = refusing.url;
		try {
			const { groupId, ada } = await circle();
			await notify([ada.id], 'metoo', groupId);
			// The mail arrives before the transaction that marks it sent commits: wait for the mark.
			await waitUntil(
				() => db.select().from(notification).where(eq(notification.userId, ada.id)),
				([row]) => row.emailedAt !== null,
				50_000
			);
			expect(mailTo(refusing, ada.email)).toHaveLength(1);
			expect(refusing.connections).toBeGreaterThanOrEqual(3);
		} finally {
			getConfig().smtpUrl = smtp.url;
			await refusing.close();
		}
	});
});
