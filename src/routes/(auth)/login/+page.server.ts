import { fail, redirect } from '@sveltejs/kit';
import { checkCredentials, hasAdmin } from '$lib/server/auth/accounts';
import { startSession } from '$lib/server/auth';
import { safeNextPath } from '$lib/server/auth/guards';
import { readText } from '$lib/server/auth/forms';
import { recordAudit, recordFailedSignIn } from '$lib/server/audit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNextPath(url.searchParams.get('next')));
	if (!(await hasAdmin())) redirect(303, '/setup');
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const email = readText(form, 'email');
		const result = await checkCredentials({
			email,
			password: readText(form, 'password'),
			address: event.getClientAddress()
		});
		if (!result.ok) {
			await recordFailedSignIn({ email, address: event.getClientAddress(), via: 'login' });
			return result.reason === 'throttled'
				? fail(429, {
						email,
						message:
							'Too many attempts. Sign-in is paused for a little while to keep accounts safe — please try again in 15 minutes.'
					})
				: fail(400, { email, message: 'That email and password did not match. Please try again.' });
		}
		await startSession(event, result.user.id);
		await recordAudit({ action: 'auth.sign_in', actorId: result.user.id, objectType: 'user', objectId: result.user.id });
		redirect(303, safeNextPath(event.url.searchParams.get('next')));
	}
};
