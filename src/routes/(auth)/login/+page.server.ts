import { fail, redirect } from '@sveltejs/kit';
import { hasAdmin } from '$lib/server/auth/accounts';
import { signIn } from '$lib/server/auth/sign-in';
import { safeNextPath } from '$lib/server/auth/guards';
import { signInForm } from '$lib/server/auth/forms';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNextPath(url.searchParams.get('next')));
	if (!(await hasAdmin())) redirect(303, '/setup');
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const input = parseForm(form, signInForm, readTyped(form, 'email'));
		if (isRefused(input)) return input;
		const next = safeNextPath(event.url.searchParams.get('next'));
		const result = await signIn(event, { ...input, via: 'login', next });
		if (result.kind === 'refused') return fail(result.status, { email: input.email, message: result.message });
		if (result.kind === 'second-factor') redirect(303, result.step === 'code' ? '/login/code' : '/login/enrol');
		redirect(303, next);
	}
};
