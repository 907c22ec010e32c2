import { fail, redirect } from '@sveltejs/kit';
import { hasAdmin } from '$lib/server/auth/accounts';
import { signIn } from '$lib/server/auth/sign-in';
import { safeNextPath } from '$lib/server/auth/guards';
import { readText } from '$lib/server/auth/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNextPath(url.searchParams.get('next')));
	if (!(await hasAdmin())) redirect(303, '/setup');
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const email = readText(form, 'email');
		const result = await signIn(event, { email, password: readText(form, 'password'), via: 'login' });
		if (result.kind === 'refused') return fail(result.status, { email, message: result.message });
		redirect(303, safeNextPath(event.url.searchParams.get('next')));
	}
};
