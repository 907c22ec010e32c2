import { error, redirect } from '@sveltejs/kit';
import { isId } from '$lib/board/document-names';
import { refuse } from '$lib/server/auth/guards';
import { isRefused, parseForm } from '$lib/server/forms';
import { requireGroupMember } from '$lib/server/groups/access';
import {
	ARRIVAL_STATUS_LABELS,
	getOwnArrivals,
	isIntentionShared,
	readNewestIntention,
	setIntentionShared
} from '$lib/server/trends';
import { intentionForm } from '$lib/server/trends/forms';
import type { Actions, PageServerLoad } from './$types';

// A member's own trend and their intention choice: only ever their own (the user id comes from the
// session, never from the request). Facilitators answer no rounds; their page is the group's arrivals.
export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	const { user, access } = await requireGroupMember(event, groupId);
	if (access.role === 'facilitator') redirect(303, `/groups/${groupId}/arrivals`);
	const [arrivals, intention, intentionShared] = await Promise.all([
		getOwnArrivals(groupId, user.id),
		readNewestIntention(user.id),
		isIntentionShared(groupId, user.id)
	]);
	return { me: { name: user.displayName }, arrivals, intention, intentionShared, statusLabels: ARRIVAL_STATUS_LABELS };
};

export const actions: Actions = {
	intention: async (event) => {
		const { groupId } = event.params;
		if (!isId(groupId)) error(404, 'Not found');
		const { user, access } = await requireGroupMember(event, groupId);
		if (access.role !== 'member') await refuse(event, user, groupId);
		const input = parseForm(await event.request.formData(), intentionForm, { action: 'intention' });
		if (isRefused(input)) return input;
		const shared = input.show === 'yes';
		await setIntentionShared({ groupId, userId: user.id, shared });
		return {
			action: 'intention',
			saved: shared
				? 'Your facilitators can now see your intention.'
				: 'Your intention is private again. Your facilitators no longer see it here.'
		};
	}
};
