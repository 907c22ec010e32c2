import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';

// Signing out is a POST only, so a link or an image elsewhere cannot sign anyone out.
export const load: PageServerLoad = async () => {
	redirect(303, '/');
};

export const actions: Actions = {
	default: async (event) => {
		await endSession(event);
		redirect(303, '/login');
	}
};
