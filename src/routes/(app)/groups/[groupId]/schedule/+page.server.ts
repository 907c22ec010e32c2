import { requireFacilitator, requireGroupMember } from '$lib/server/groups/access';
import { isRefused, parseForm } from '$lib/server/forms';
import { addSessionForm, removeSessionForm, updateSessionForm } from '$lib/server/schedule/forms';
import { getGroup } from '$lib/server/groups/groups';
import { runGroupCommand } from '$lib/server/groups/route-actions';
import {
	addSession,
	listSessions,
	pickNextSession,
	presentSession,
	removeSession,
	updateSession
} from '$lib/server/schedule/program';
import { toZonedDateTime } from '$lib/server/schedule/zoned-time';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { access } = await requireGroupMember(event, event.params.groupId);
	const [group, sessions] = await Promise.all([getGroup(access.groupId), listSessions(access.groupId)]);
	const zone = group!.timeZone;
	const next = pickNextSession(sessions);
	const isFacilitator = access.role === 'facilitator';
	return {
		timeZone: zone,
		justCreated: isFacilitator && event.url.searchParams.has('created'),
		canEdit: isFacilitator && access.lifecycle !== 'archived',
		nextId: next?.id ?? null,
		today: toZonedDateTime(new Date(), zone).date,
		sessions: sessions.map((s) => {
			const shown = presentSession(s, zone);
			return {
				id: shown.id,
				label: shown.label,
				when: shown.when,
				state: shown.state,
				stateLabel: shown.stateLabel,
				// Only facilitators get the form values.
				...(isFacilitator ? { date: shown.date, time: shown.time } : {})
			};
		})
	};
};

export const actions: Actions = {
	addSession: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), addSessionForm, { action: 'addSession' });
		if (isRefused(input)) return input;
		return runGroupCommand('addSession', async () => {
			await addSession({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'addSession', saved: 'Session added.' };
		});
	},
	updateSession: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), updateSessionForm, { action: 'updateSession' });
		if (isRefused(input)) return input;
		return runGroupCommand('updateSession', async () => {
			await updateSession({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'updateSession', sessionId: input.sessionId, saved: 'Saved.' };
		});
	},
	removeSession: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), removeSessionForm, { action: 'removeSession' });
		if (isRefused(input)) return input;
		return runGroupCommand('removeSession', async () => {
			await removeSession({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'removeSession', saved: 'Session removed.' };
		});
	}
};
