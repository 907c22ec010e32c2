/*
 * Email about notifications, when SMTP is configured. Each person chooses (Account page): no email, an
 * email soon after something new ("each"), or one a day ("daily", at DIGEST_MINUTE in their time zone);
 * and quiet hours, during which nothing is sent: the email waits until they end. Every email says the
 * same thing, naming no person, group or content: emails leave the practice's control.
 *
 * Delivery runs from the durable queue (queue.ts), never in the request that caused it, and is
 * idempotent: the person's unsent, unread notifications are claimed (FOR UPDATE SKIP LOCKED) in the
 * transaction that sends and marks them `emailed_at`, so two processes running jobs for the same person
 * at once send one email, and a failed send rolls back the claim and the job is retried with backoff.
 * (A process that dies between the send and the commit sends it again: at least once, never lost.)
 */
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { getConfig } from '../config';
import { db, type Database } from '../db';
import { group, groupMember, notification, notificationSetting, user, type EmailChoice } from '../db/schema';
import { createMailTransport, isMailConfigured } from '../mail';
import { getNotificationQueue, type EmailJob } from './queue';

export const NOTIFICATION_EMAIL_SUBJECT = 'There is something new for you in Hearth';

/** The one email text: the link is the only thing that varies, and it names nothing. */
export function composeNotificationEmail(origin: string | undefined) {
	const text = [
		'Hello,',
		'',
		'There is something new for you in Hearth.',
		'',
		origin ? `Sign in to see it: ${origin}/notifications` : 'Sign in to Hearth to see it.',
		'',
		'This email does not say what it is or who it is from, on purpose.',
		'You can choose how often Hearth emails you, and quiet hours, under Account.'
	].join('\n');
	return { subject: NOTIFICATION_EMAIL_SUBJECT, text };
}

export interface EmailSettings {
	email: EmailChoice;
	timeZone: string;
	/** Minutes after midnight in `timeZone`; both set, or neither. Start after end spans midnight. */
	quietStart: number | null;
	quietEnd: number | null;
}

export const DEFAULT_EMAIL_SETTINGS: EmailSettings = {
	email: 'each',
	timeZone: 'UTC',
	quietStart: null,
	quietEnd: null
};

/** When the daily email goes out, in the person's own time zone: 08:00. */
export const DIGEST_MINUTE = 8 * 60;

export async function getEmailSettings(userId: string): Promise<EmailSettings> {
	return (await readEmailSettings([userId])).get(userId) ?? DEFAULT_EMAIL_SETTINGS;
}

/**
 * Each person's settings; for someone who has not saved any, the defaults in the time zone of the group
 * they joined last (where their sessions are), so a daily email comes in their morning, not UTC's.
 */
async function readEmailSettings(userIds: string[]): Promise<Map<string, EmailSettings>> {
	if (userIds.length === 0) return new Map();
	const rows = await db
		.select({
			userId: notificationSetting.userId,
			email: notificationSetting.email,
			timeZone: notificationSetting.timeZone,
			quietStart: notificationSetting.quietStart,
			quietEnd: notificationSetting.quietEnd
		})
		.from(notificationSetting)
		.where(inArray(notificationSetting.userId, userIds));
	const settings = new Map<string, EmailSettings>(rows.map(({ userId, ...saved }) => [userId, saved]));
	const unsaved = userIds.filter((userId) => !settings.has(userId));
	if (unsaved.length === 0) return settings;
	const zones = await db
		.select({ userId: groupMember.userId, timeZone: group.timeZone })
		.from(groupMember)
		.innerJoin(group, eq(group.id, groupMember.groupId))
		.where(and(inArray(groupMember.userId, unsaved), eq(groupMember.status, 'active')))
		.orderBy(desc(groupMember.joinedAt));
	for (const userId of unsaved) {
		const timeZone = zones.find((row) => row.userId === userId)?.timeZone ?? DEFAULT_EMAIL_SETTINGS.timeZone;
		settings.set(userId, { ...DEFAULT_EMAIL_SETTINGS, timeZone });
	}
	return settings;
}

/** Saves a person's email settings and re-plans the email they may be waiting for. */
export async function saveEmailSettings(userId: string, settings: EmailSettings, now = new Date()): Promise<void> {
	const values = { ...settings, updatedAt: now };
	await db
		.insert(notificationSetting)
		.values({ userId, ...values })
		.onConflictDoUpdate({ target: notificationSetting.userId, set: values });
	await requestEmails([userId], now);
}

function minuteOfDay(instant: Date, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		hour: '2-digit',
		minute: '2-digit'
	}).formatToParts(instant);
	const get = (type: 'hour' | 'minute') => Number(parts.find((part) => part.type === type)?.value);
	return get('hour') * 60 + get('minute');
}

/** `minutes` whole minutes after the start of `now`'s minute. */
function minutesLater(now: Date, minutes: number): Date {
	const startOfMinute = Math.floor(now.getTime() / 60_000) * 60_000;
	return new Date(startOfMinute + minutes * 60_000);
}

/** When quiet hours hold `now`, the instant they end; otherwise null. */
export function quietHoursEnd(settings: EmailSettings, now: Date): Date | null {
	const { quietStart: start, quietEnd: end } = settings;
	if (start === null || end === null || start === end) return null;
	const minute = minuteOfDay(now, settings.timeZone);
	const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
	if (!inside) return null;
	return minutesLater(now, (end - minute + 1440) % 1440);
}

/** When an email about something new at `now` may go out; null when the person wants none. */
export function planEmail(settings: EmailSettings, now: Date): Date | null {
	if (settings.email === 'off') return null;
	let at = now;
	if (settings.email === 'daily') {
		const minute = minuteOfDay(now, settings.timeZone);
		at = minutesLater(now, (DIGEST_MINUTE - minute + 1440) % 1440 || 1440);
	}
	return quietHoursEnd(settings, at) ?? at;
}

/**
 * Asks the queue for an email to each of `userIds`, by their settings; nothing when SMTP is not
 * configured or the queue is not running (their notifications wait, and the queue's start catches up).
 */
export async function requestEmails(userIds: readonly string[], now = new Date()): Promise<void> {
	const queue = getNotificationQueue();
	if (!queue || !isMailConfigured() || userIds.length === 0) return;
	const settings = await readEmailSettings([...userIds]);
	for (const userId of userIds) {
		const mine = settings.get(userId) ?? DEFAULT_EMAIL_SETTINGS;
		const at = planEmail(mine, now);
		if (at && mine.email !== 'off') await queue.sendEmailJob({ userId, mode: mine.email }, at);
	}
}

export type Delivery = 'sent' | 'nothing-new' | 'off' | 'replanned';

/**
 * Runs one email job: sends the person one email if anything unread has not been emailed yet, unless
 * their settings now say otherwise (then it asks for the email they want instead). Throws when the mail
 * server fails, having marked nothing, so the queue retries it.
 */
export async function deliverEmail(job: EmailJob, now = new Date()): Promise<Delivery> {
	const settings = await getEmailSettings(job.userId);
	if (settings.email === 'off' || !isMailConfigured()) return 'off';
	if (settings.email !== job.mode || quietHoursEnd(settings, now)) {
		await requestEmails([job.userId], now);
		return 'replanned';
	}
	return db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const waiting = await tx
			.select({ id: notification.id })
			.from(notification)
			.where(and(eq(notification.userId, job.userId), isNull(notification.emailedAt), isNull(notification.readAt)))
			.for('update', { skipLocked: true });
		if (waiting.length === 0) return 'nothing-new';
		const [account] = await tx
			.select({ email: user.email })
			.from(user)
			.where(and(eq(user.id, job.userId), isNull(user.deletedAt)));
		if (!account) return 'nothing-new';
		await sendNotificationEmail(account.email);
		await tx
			.update(notification)
			.set({ emailedAt: now })
			.where(
				inArray(
					notification.id,
					waiting.map((row) => row.id)
				)
			);
		return 'sent';
	});
}

async function sendNotificationEmail(to: string): Promise<void> {
	const { mailFrom, origin } = getConfig();
	const transport = createMailTransport();
	try {
		await transport.sendMail({ from: mailFrom, to, ...composeNotificationEmail(origin) });
	} catch (error) {
		// The queue keeps the error with the job, and a mail server's refusal may quote the address: keep only its code.
		const code = (error as { code?: unknown; responseCode?: unknown }) ?? {};
		// eslint-disable-next-line preserve-caught-error -- the cause would carry the address into the queue's rows
		throw new Error(`the mail server did not take the email (${String(code.responseCode ?? code.code ?? 'no code')})`);
	} finally {
		transport.close();
	}
}

/** People with notifications still waiting for an email (after a restart: their jobs are asked for again). */
export async function listPeopleAwaitingEmail(): Promise<string[]> {
	const rows = await db
		.selectDistinct({ userId: notification.userId })
		.from(notification)
		.where(and(isNull(notification.emailedAt), isNull(notification.readAt)));
	return rows.map((row) => row.userId);
}
