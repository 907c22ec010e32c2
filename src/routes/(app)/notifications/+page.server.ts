import { fail } from '@sveltejs/kit';
import { requireUser } from '$lib/server/auth/guards';
import { isRefused, parseForm } from '$lib/server/forms';
import { listNotifications, markAllRead, markRead, URGENT_KINDS } from '$lib/server/notifications';
import { markReadForm } from '$lib/server/notifications/forms';
import { formatSessionTime } from '$lib/server/schedule/zoned-time';
import type { Actions, PageServerLoad } from './$types';

// What is new for the signed-in person. Loading lists and marks nothing (pages are preloaded on hover):
// only the "Mark as read" and "Mark all read" buttons do.
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const items = await listNotifications(user.id);
	return {
		me: user.id,
		items: items.map(({ groupTimeZone, ...item }) => ({
			...item,
			urgent: URGENT_KINDS.includes(item.kind),
			// In the group's own time, as its sessions are shown.
			when: formatSessionTime(item.createdAt, groupTimeZone ?? 'UTC')
		}))
	};
};

export const actions: Actions = {
	markRead: async (event) => {
		const user = requireUser(event);
		const input = parseForm(await event.request.formData(), markReadForm);
		if (isRefused(input)) return input;
		if (!(await markRead(user.id, input.notificationId))) {
			return fail(404, { message: 'That notification is no longer here. Please reload the page.' });
		}
		return { saved: 'Marked as read.' };
	},
	markAllRead: async (event) => {
		const user = requireUser(event);
		await markAllRead(user.id);
		return { saved: 'All marked as read.' };
	}
};
