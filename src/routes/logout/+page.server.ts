import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/auth';
import { recordAudit } from '$lib/server/audit';
import type { Actions, PageServerLoad } from './$types';

// Signing out is a POST only, so a link or an image elsewhere cannot sign anyone out.
export const load: PageServerLoad = async () => {
	redirect(303, '/');
};

export const actions: Actions = {
	default: async (event) => {
		const userId = event.locals.user?.id;
		await endSession(event);
		if (userId) await recordAudit({ action: 'auth.sign_out', actorId: userId, objectType: 'user', objectId: userId });
		redirect(303, '/login');
	}
};
