import { requireFacilitator, requireGroupMember } from '$lib/server/groups/access';
import { readText } from '$lib/server/auth/forms';
import { getGroup } from '$lib/server/groups/groups';
import { runGroupCommand } from '$lib/server/groups/route-actions';
import { addSession, listSessions, pickNextSession, presentSession, removeSession, updateSession } from '$lib/server/schedule/program';
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
		const form = await event.request.formData();
		return runGroupCommand('addSession', async () => {
			await addSession({
				groupId: access.groupId,
				actorId: user.id,
				kind: readText(form, 'kind'),
				date: readText(form, 'date'),
				time: readText(form, 'time')
			});
			return { action: 'addSession', saved: 'Session added.' };
		});
	},
	updateSession: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const form = await event.request.formData();
		const sessionId = readText(form, 'sessionId');
		return runGroupCommand('updateSession', async () => {
			await updateSession({
				groupId: access.groupId,
				actorId: user.id,
				sessionId,
				date: readText(form, 'date'),
				time: readText(form, 'time'),
				state: readText(form, 'state')
			});
			return { action: 'updateSession', sessionId, saved: 'Saved.' };
		});
	},
	removeSession: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const form = await event.request.formData();
		return runGroupCommand('removeSession', async () => {
			await removeSession({ groupId: access.groupId, actorId: user.id, sessionId: readText(form, 'sessionId') });
			return { action: 'removeSession', saved: 'Session removed.' };
		});
	}
};
