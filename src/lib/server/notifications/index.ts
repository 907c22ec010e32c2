// Notifications: what is new for each person (notifications.ts), from board changes (board-facts.ts),
// the schedule (reminders.ts) and the domain's own events (flags, urgent messages, the move to alumni),
// with email by each person's settings (email.ts) through a durable queue (queue.ts). docs/notifications.md.
import { log } from '../log';
import { deliverEmail, listPeopleAwaitingEmail, requestEmails } from './email';
import { getNotificationQueue, NotificationQueue, setNotificationQueue, type QueueOptions } from './queue';
import { remindSessionsStartingSoon } from './reminders';

export {
	notify,
	listNotifications,
	countUnread,
	markRead,
	markAllRead,
	countUnreadInGroup,
	URGENT_KINDS
} from './notifications';
export type { NotificationItem, NotifyOptions } from './notifications';
export { acceptBoardFacts } from './board-facts';

export const NOTIFICATIONS_REGISTRY = Symbol.for('hearth.notifications');

/** The queue with Hearth's own handlers; tests make several to play several processes. */
export function createNotificationQueue(
	options: Omit<QueueOptions, 'handlers'> & { now?: () => Date }
): NotificationQueue {
	const now = options.now ?? (() => new Date());
	return new NotificationQueue({
		...options,
		handlers: {
			email: (job) => deliverEmail(job, now()),
			reminders: () => remindSessionsStartingSoon(now())
		}
	});
}

/**
 * Starts this process's queue (once), then asks again for the emails of anyone whose notifications are
 * still waiting for one: those noted just before a restart.
 */
export async function startNotifications(options: Omit<QueueOptions, 'handlers'>): Promise<NotificationQueue> {
	const existing = getNotificationQueue();
	if (existing) return existing;
	const queue = createNotificationQueue(options);
	await queue.start();
	setNotificationQueue(queue);
	// server.js cannot import app modules: it stops the queue through this registry on shutdown.
	(globalThis as { [NOTIFICATIONS_REGISTRY]?: { close(): Promise<void> } })[NOTIFICATIONS_REGISTRY] = {
		close: stopNotifications
	};
	try {
		await requestEmails(await listPeopleAwaitingEmail());
	} catch (error) {
		log.error({ area: 'notifications', error }, 'asking for waiting emails failed');
	}
	return queue;
}

export async function stopNotifications(): Promise<void> {
	const queue = getNotificationQueue();
	setNotificationQueue(undefined);
	await queue?.stop();
}
