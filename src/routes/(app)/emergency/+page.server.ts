import { fail, redirect } from '@sveltejs/kit';
import { refuse, requireUser } from '$lib/server/auth/guards';
import { AccountError } from '$lib/server/auth/accounts';
import { EmergencyAccessError, EmergencyAccessHidden } from '$lib/server/emergency-access/errors';
import {
	EMERGENCY_ACCESS_MINUTES,
	endEmergencyAccessForm,
	REASON_MAX_LENGTH,
	REASON_MIN_LENGTH,
	startEmergencyAccessForm
} from '$lib/server/emergency-access/forms';
import { endEmergencyAccess, listEmergencyGroups, startEmergencyAccess } from '$lib/server/emergency-access/grants';
import { isRefused, parseForm, readTyped, runCommand } from '$lib/server/forms';
import { formatSessionTime } from '$lib/server/schedule/zoned-time';
import type { Actions, PageServerLoad } from './$types';

// Emergency access for clinical leads (docs/emergency-access.md). Everyone else gets the 404 of a page
// that does not exist. Loading lists group names only and records nothing.
const errors = {
	shown: (e: unknown): e is Error => e instanceof EmergencyAccessError || e instanceof AccountError,
	hidden: (e: unknown) => e instanceof EmergencyAccessHidden
};

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const groups = await listEmergencyGroups(user.id).catch((e) => {
		if (e instanceof EmergencyAccessHidden) return refuse(event, user);
		throw e;
	});
	return {
		minutes: EMERGENCY_ACCESS_MINUTES,
		reasonMin: REASON_MIN_LENGTH,
		reasonMax: REASON_MAX_LENGTH,
		groups: groups.map((group) => ({
			id: group.id,
			name: group.name,
			grant: group.grant && { id: group.grant.id, until: formatSessionTime(group.grant.endsAt, group.timeZone) }
		}))
	};
};

export const actions: Actions = {
	start: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		// The password is never sent back into the form.
		const input = parseForm(form, startEmergencyAccessForm, {
			action: 'start',
			...readTyped(form, 'groupId', 'reason')
		});
		if (isRefused(input)) return input;
		const started = await runCommand(
			'start',
			() =>
				startEmergencyAccess({
					leadId: user.id,
					groupId: input.groupId,
					reason: input.reason,
					password: input.password,
					address: event.getClientAddress(),
					origin: event.url.origin
				}),
			errors
		);
		if ('endsAt' in started) redirect(303, `/emergency/${input.groupId}`);
		return fail(400, { ...started.data, groupId: input.groupId, reason: input.reason });
	},
	end: async (event) => {
		const user = requireUser(event);
		const input = parseForm(await event.request.formData(), endEmergencyAccessForm, { action: 'end' });
		if (isRefused(input)) return input;
		return runCommand(
			'end',
			async () => {
				await endEmergencyAccess({ leadId: user.id, grantId: input.grantId });
				return { action: 'end', saved: 'Emergency access ended. The board is closed to you again.' };
			},
			errors
		);
	}
};
