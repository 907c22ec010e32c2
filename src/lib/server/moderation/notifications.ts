// Notification rows: that something waits for a facilitator in a group's staff space (kind and group
// only). The staff space itself shows what it is; opening it marks the group's notifications read.
import { and, count, eq, isNull } from 'drizzle-orm';
import { db } from '../db';
import { notification } from '../db/schema';

export async function countUnreadNotifications(userId: string, groupId: string): Promise<number> {
	const [row] = await db
		.select({ value: count() })
		.from(notification)
		.where(and(eq(notification.userId, userId), eq(notification.groupId, groupId), isNull(notification.readAt)));
	return row.value;
}

export async function markNotificationsRead(userId: string, groupId: string): Promise<void> {
	await db
		.update(notification)
		.set({ readAt: new Date() })
		.where(and(eq(notification.userId, userId), eq(notification.groupId, groupId), isNull(notification.readAt)));
}
