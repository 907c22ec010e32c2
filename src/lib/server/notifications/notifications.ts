// Notification rows: one per person, saying what kind of thing happened in which group and the id of what
// it is about, never who did it or a word of it. They are read on /notifications and in the header's
// count; only the person's explicit "Mark as read" / "Mark all read" sets `read_at` (opening a page never
// does: SvelteKit preloads pages on hover).
import { and, desc, eq, isNull, sql, count, inArray } from 'drizzle-orm';
import { db } from '../db';
import { generateId } from '../db/ids';
import { group, notification, type NotificationKind, type NotificationSpace } from '../db/schema';
import { requestEmails } from './email';

/** Kinds that go to facilitators about someone who may need them: listed first, and shown apart. */
export const URGENT_KINDS: readonly NotificationKind[] = ['urgent_message', 'emergency_access'];

export interface NotifyOptions {
	/** Whose action it was: they are never told of it. */
	actorId?: string;
	space?: NotificationSpace;
	targetId?: string;
	/** For the care space: whose line to the facilitators it is in. */
	careOf?: string;
	/** False when the caller emails on its own (urgent messages: support/urgent.ts). Default true. */
	email?: boolean;
}

/**
 * Tells each of `userIds` (minus the actor) that something of `kind` happened in `groupId`, and asks for
 * their email (which goes out later, from the queue, by their settings). The caller decides who may know:
 * pass only people who may see what it points to. Returns whom it told.
 */
export async function notify(
	userIds: readonly string[],
	kind: NotificationKind,
	groupId: string | null,
	options: NotifyOptions = {}
): Promise<string[]> {
	const recipients = [...new Set(userIds)].filter((userId) => userId !== options.actorId);
	if (recipients.length === 0) return [];
	const rows = recipients.map((userId) => ({
		id: generateId(),
		userId,
		groupId,
		kind,
		space: options.space ?? null,
		targetId: options.targetId ?? null,
		careOf: options.careOf ?? null
	}));
	// "Starting soon" is once per session per person: a second reminder run inserts nothing.
	const inserted = await db
		.insert(notification)
		.values(rows)
		.onConflictDoNothing()
		.returning({ userId: notification.userId });
	const told = inserted.map((row) => row.userId);
	if (options.email !== false) await requestEmails(told);
	return told;
}

export type NotificationItem = {
	id: string;
	kind: NotificationKind;
	groupId: string | null;
	groupName: string | null;
	groupTimeZone: string | null;
	space: NotificationSpace | null;
	targetId: string | null;
	careOf: string | null;
	createdAt: Date;
	readAt: Date | null;
};

const isUrgentUnread = sql<number>`case when ${notification.readAt} is null and ${inArray(notification.kind, [...URGENT_KINDS])} then 0 else 1 end`;

/** The person's notifications, newest first, with unread urgent ones before everything else. */
export async function listNotifications(userId: string, limit = 100): Promise<NotificationItem[]> {
	return db
		.select({
			id: notification.id,
			kind: notification.kind,
			groupId: notification.groupId,
			groupName: group.name,
			groupTimeZone: group.timeZone,
			space: notification.space,
			targetId: notification.targetId,
			careOf: notification.careOf,
			createdAt: notification.createdAt,
			readAt: notification.readAt
		})
		.from(notification)
		.leftJoin(group, eq(group.id, notification.groupId))
		.where(eq(notification.userId, userId))
		.orderBy(isUrgentUnread, desc(notification.createdAt))
		.limit(limit);
}

export async function countUnread(userId: string): Promise<number> {
	const [row] = await db
		.select({ value: count() })
		.from(notification)
		.where(and(eq(notification.userId, userId), isNull(notification.readAt)));
	return row.value;
}

/** Marks one of the person's own notifications read; false when it is not theirs (or not there). */
export async function markRead(userId: string, notificationId: string, now = new Date()): Promise<boolean> {
	const updated = await db
		.update(notification)
		.set({ readAt: sql`coalesce(${notification.readAt}, ${now.toISOString()}::timestamptz)` })
		.where(and(eq(notification.id, notificationId), eq(notification.userId, userId)))
		.returning({ id: notification.id });
	return updated.length > 0;
}

/** Marks all the person's notifications read, or only those of one group (and some kinds). */
export async function markAllRead(
	userId: string,
	only: { groupId?: string; kinds?: readonly NotificationKind[] } = {},
	now = new Date()
): Promise<number> {
	const updated = await db
		.update(notification)
		.set({ readAt: now })
		.where(
			and(
				eq(notification.userId, userId),
				isNull(notification.readAt),
				only.groupId === undefined ? undefined : eq(notification.groupId, only.groupId),
				only.kinds === undefined ? undefined : inArray(notification.kind, [...only.kinds])
			)
		)
		.returning({ id: notification.id });
	return updated.length;
}

/** Unread notifications of some kinds in one group (the staff space's count of flags and urgent messages). */
export async function countUnreadInGroup(
	userId: string,
	groupId: string,
	kinds: readonly NotificationKind[]
): Promise<number> {
	const [row] = await db
		.select({ value: count() })
		.from(notification)
		.where(
			and(
				eq(notification.userId, userId),
				eq(notification.groupId, groupId),
				inArray(notification.kind, [...kinds]),
				isNull(notification.readAt)
			)
		);
	return row.value;
}
