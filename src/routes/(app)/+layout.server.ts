import { redirect } from '@sveltejs/kit';
import { hasAdmin } from '$lib/server/auth/accounts';
import { requireUser } from '$lib/server/auth/guards';
import { isClinicalLead } from '$lib/server/emergency-access/leads';
import { countUnread } from '$lib/server/notifications';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
	// A new installation has nobody to sign in as yet: the first visit goes to setup.
	if (!event.locals.user && !(await hasAdmin())) redirect(303, '/setup');
	const user = requireUser(event);
	return {
		user: { displayName: user.displayName, role: user.role },
		unreadNotifications: await countUnread(user.id),
		// Clinical leads get a way to emergency access (docs/emergency-access.md); the page checks again.
		clinicalLead: user.role === 'staff' && (await isClinicalLead(user.id))
	};
};
