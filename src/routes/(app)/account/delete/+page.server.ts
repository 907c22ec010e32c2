import { fail, redirect } from '@sveltejs/kit';
import { AccountDeletionError, deleteAccountForm, deleteOwnAccount } from '$lib/server/account-deletion';
import { endAllSessions } from '$lib/server/auth';
import { requireUser } from '$lib/server/auth/guards';
import { isRefused, parseForm } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return { deletable: user.role === 'member' };
};

export const actions: Actions = {
	delete: async (event) => {
		const user = requireUser(event);
		const input = parseForm(await event.request.formData(), deleteAccountForm);
		if (isRefused(input)) return input;
		try {
			await deleteOwnAccount({ userId: user.id, password: input.password, address: event.getClientAddress() });
		} catch (e) {
			if (e instanceof AccountDeletionError) return fail(400, { message: e.message });
			throw e;
		}
		// The sessions are already gone; this forgets this browser's cookie and cache.
		await endAllSessions(event);
		redirect(303, '/account/deleted');
	}
};
