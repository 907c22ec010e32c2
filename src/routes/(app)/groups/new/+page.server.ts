import { fail, redirect } from '@sveltejs/kit';
import { requireStaff } from '$lib/server/auth/guards';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import { DEFAULT_PROGRAM_AGREEMENT } from '$lib/server/groups/agreements';
import { GroupRuleError } from '$lib/server/groups/errors';
import { newGroupForm, MAX_CAPACITY } from '$lib/server/groups/forms';
import { createGroup, DEFAULT_CAPACITY } from '$lib/server/groups/groups';
import { listTimeZones } from '$lib/server/schedule/zoned-time';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	await requireStaff(event);
	return {
		defaultAgreement: DEFAULT_PROGRAM_AGREEMENT,
		defaultCapacity: DEFAULT_CAPACITY,
		maxCapacity: MAX_CAPACITY,
		timeZones: listTimeZones()
	};
};

export const actions: Actions = {
	create: async (event) => {
		const user = await requireStaff(event);
		const form = await event.request.formData();
		const typed = readTyped(form, ...(Object.keys(newGroupForm.entries) as (keyof typeof newGroupForm.entries)[]));
		// What was typed goes back into a refused form.
		const values = { ...typed, standardProgram: typed.standardProgram === 'on' };
		const input = parseForm(form, newGroupForm, { values });
		if (isRefused(input)) return input;
		const { standardProgram, firstDate, time, intervalDays, ...details } = input;
		let groupId: string;
		try {
			const created = await createGroup({
				...details,
				creatorId: user.id,
				program: standardProgram ? { firstDate, time, intervalDays: Number(intervalDays) } : null
			});
			groupId = created.id;
		} catch (e) {
			if (e instanceof GroupRuleError) return fail(400, { message: e.message, values });
			throw e;
		}
		redirect(303, `/groups/${groupId}/schedule?created=1`);
	}
};
