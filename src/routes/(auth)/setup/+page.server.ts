import { fail, redirect } from '@sveltejs/kit';
import { AccountError, createFirstAdmin, hasAdmin } from '$lib/server/auth/accounts';
import { completeSignIn } from '$lib/server/auth/sign-in';
import { setupForm } from '$lib/server/auth/forms';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import { recordAudit } from '$lib/server/audit';
import { checkSetupCode, closeSetup } from '$lib/server/setup/setup-code';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	if (await hasAdmin()) redirect(303, '/login');
};

export const actions: Actions = {
	default: async (event) => {
		if (await hasAdmin()) redirect(303, '/login');
		const form = await event.request.formData();
		const typed = readTyped(form, 'displayName', 'email');
		const { displayName, email } = typed;
		const input = parseForm(form, setupForm, typed);
		if (isRefused(input)) return input;
		const check = await checkSetupCode(input.setupCode, event.getClientAddress());
		if (check === 'throttled') {
			return fail(429, {
				message: 'Too many wrong setup codes. Please wait 15 minutes, then try again.',
				displayName,
				email
			});
		}
		if (check === 'throttled-everywhere') {
			return fail(429, {
				message:
					'Too many wrong setup codes have been tried, from many places. Please wait 15 minutes; if it happens again, ' +
					'start Hearth with HOST=127.0.0.1 and set it up from that computer.',
				displayName,
				email
			});
		}
		if (check === 'wrong') {
			return fail(400, {
				message:
					'That setup code is not right. Copy it from the console where Hearth was started (for example the terminal running npm start).',
				displayName,
				email
			});
		}
		let adminId: string;
		try {
			const admin = await createFirstAdmin(input);
			if (!admin) redirect(303, '/login');
			adminId = admin.id;
		} catch (e) {
			if (e instanceof AccountError) return fail(400, { message: e.message, displayName, email });
			throw e;
		}
		await closeSetup();
		await recordAudit({ action: 'auth.setup', actorId: adminId, objectType: 'user', objectId: adminId });
		// The admin enrols a second factor now, like any admin signing in without one; the session starts after.
		const result = await completeSignIn(event, adminId, { via: 'setup', next: '/admin/staff' });
		redirect(303, result.kind === 'second-factor' ? '/login/enrol' : '/admin/staff');
	}
};
