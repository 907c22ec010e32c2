import { fail, redirect } from '@sveltejs/kit';
import { requireStaff } from '$lib/server/auth/guards';
import { readText } from '$lib/server/auth/forms';
import { DEFAULT_PROGRAM_AGREEMENT } from '$lib/server/groups/agreements';
import { GroupRuleError } from '$lib/server/groups/errors';
import { createGroup, DEFAULT_CAPACITY, MAX_CAPACITY } from '$lib/server/groups/groups';
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
		const values = {
			name: readText(form, 'name'),
			description: readText(form, 'description'),
			capacity: readText(form, 'capacity'),
			timeZone: readText(form, 'timeZone'),
			creatorKind: readText(form, 'creatorKind'),
			agreementBody: readText(form, 'agreementBody'),
			standardProgram: readText(form, 'standardProgram') === 'on',
			firstDate: readText(form, 'firstDate'),
			time: readText(form, 'time'),
			intervalDays: readText(form, 'intervalDays')
		};
		let groupId: string;
		try {
			const created = await createGroup({
				creatorId: user.id,
				creatorKind: values.creatorKind,
				name: values.name,
				description: values.description,
				capacity: Number(values.capacity),
				timeZone: values.timeZone,
				agreementBody: values.agreementBody,
				program: values.standardProgram
					? { firstDate: values.firstDate, time: values.time, intervalDays: Number(values.intervalDays) }
					: null
			});
			groupId = created.id;
		} catch (e) {
			if (e instanceof GroupRuleError) return fail(400, { message: e.message, values });
			throw e;
		}
		redirect(303, `/groups/${groupId}/schedule?created=1`);
	}
};
