// The staff space's alerts: a facilitator's unread notifications about flags, urgent messages and emergency access in one
// group. The staff space itself shows what they are; its "Mark as seen" button (an explicit action, never
// the page's load) marks them read.
import { countUnreadInGroup, markAllRead } from '../notifications';
import type { NotificationKind } from '../db/schema';

const STAFF_KINDS: readonly NotificationKind[] = ['flag', 'urgent_message', 'emergency_access'];

export function countUnreadNotifications(userId: string, groupId: string): Promise<number> {
	return countUnreadInGroup(userId, groupId, STAFF_KINDS);
}

export async function markNotificationsRead(userId: string, groupId: string): Promise<void> {
	await markAllRead(userId, { groupId, kinds: STAFF_KINDS });
}
