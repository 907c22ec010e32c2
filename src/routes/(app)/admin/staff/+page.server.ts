import { fail } from '@sveltejs/kit';
import { AccountError, createAccount, listStaff } from '$lib/server/auth/accounts';
import { requireAdmin } from '$lib/server/auth/guards';
import { newAccountForm } from '$lib/server/auth/forms';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import { recordAudit } from '$lib/server/audit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	await requireAdmin(event);
	const staff = await listStaff();
	return {
		staff: staff.map(({ id, displayName, email, role }) => ({ id, displayName, email, role }))
	};
};

export const actions: Actions = {
	createStaff: async (event) => {
		const admin = await requireAdmin(event);
		const form = await event.request.formData();
		const typed = readTyped(form, 'displayName', 'email');
		const input = parseForm(form, newAccountForm, typed);
		if (isRefused(input)) return input;
		try {
			// The role is fixed here, never read from the form: this page only ever creates staff.
			const created = await createAccount({ ...input, role: 'staff' });
			await recordAudit({ action: 'staff.created', actorId: admin.id, objectType: 'user', objectId: created.id });
		} catch (e) {
			if (e instanceof AccountError) return fail(400, { ...typed, message: e.message });
			throw e;
		}
		return { created: `${input.displayName} can now sign in.` };
	}
};
