// A password reset link. The token is in this path because it is the link; it goes nowhere else — not into
// redirects, query strings, logs or the audit log. Every action looks it up again. Hearth's Referrer-Policy
// (same-origin, hooks.server.ts) keeps it from ever reaching another site; docs/sign-in.md says why the page
// does not use no-referrer.
import { fail } from '@sveltejs/kit';
import { resetPasswordForm } from '$lib/server/auth/forms';
import {
	completePasswordReset,
	describePasswordResetState,
	lookUpPasswordReset,
	PasswordResetError
} from '$lib/server/auth/password-reset';
import { isRefused, parseForm } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const lookup = await lookUpPasswordReset(params.token);
	if (lookup.state !== 'open') return { state: lookup.state, message: describePasswordResetState(lookup.state) };
	return { state: 'open' as const, strongPassword: lookup.strongPassword };
};

export const actions = {
	reset: async ({ params, request }) => {
		const input = parseForm(await request.formData(), resetPasswordForm, { linkUsable: true });
		if (isRefused(input)) return input;
		try {
			await completePasswordReset({ token: params.token, password: input.newPassword });
		} catch (e) {
			if (e instanceof PasswordResetError)
				return fail(400, { message: e.message, linkUsable: e.reason === 'password' });
			throw e;
		}
		return { done: true };
	}
} satisfies Actions;
