import { COOL_OFF_CHOICES, findCoolOffEnd } from '$lib/board/cool-off';
import { countWaitingPosts, coolOffForm, getCoolOff, setCoolOffHours } from '$lib/server/cool-off';
import { requireFacilitator, requireGroupMember } from '$lib/server/groups/access';
import { listMembers } from '$lib/server/groups/membership';
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
import { formatSessionTime, toZonedDateTime } from '$lib/server/schedule/zoned-time';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { access } = await requireGroupMember(event, event.params.groupId);
	const isFacilitator = access.role === 'facilitator';
	const [group, sessions, coolOff, waiting, members] = await Promise.all([
		getGroup(access.groupId),
		listSessions(access.groupId),
		getCoolOff(access.groupId),
		// Counts only, for facilitators: the words stay in each member's journal.
		isFacilitator ? countWaitingPosts(access.groupId) : [],
		isFacilitator ? listMembers(access.groupId) : []
	]);
	const zone = group!.timeZone;
	const next = pickNextSession(sessions);
	const until = findCoolOffEnd(coolOff.windows, Date.now());
	const nameOf = (userId: string) => members.find((m) => m.userId === userId)?.displayName ?? 'A member';
	return {
		coolOff: {
			hours: coolOff.hours,
			choices: COOL_OFF_CHOICES,
			until: until === null ? null : formatSessionTime(new Date(until), zone)
		},
		waiting: waiting.map(({ userId, count }) => ({ name: nameOf(userId), count })),
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
	},
	setCoolOff: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), coolOffForm, { action: 'setCoolOff' });
		if (isRefused(input)) return input;
		return runGroupCommand('setCoolOff', async () => {
			await setCoolOffHours({ groupId: access.groupId, actorId: user.id, hours: input.hours });
			return { action: 'setCoolOff', saved: 'Saved.' };
		});
	}
};
