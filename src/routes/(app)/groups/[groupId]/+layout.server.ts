import { error } from '@sveltejs/kit';
import { requireGroupMember } from '$lib/server/groups/access';
import { describeStage, getGroup } from '$lib/server/groups/groups';
import { listSessions } from '$lib/server/schedule/program';
import { countUnreadNotifications } from '$lib/server/moderation/notifications';
import type { LayoutServerLoad } from './$types';

// Only the header and tabs; every page below checks access again in its own load and actions.
export const load: LayoutServerLoad = async (event) => {
	const { access } = await requireGroupMember(event, event.params.groupId, { allowUnsigned: true });
	const [group, sessions] = await Promise.all([getGroup(event.params.groupId), listSessions(event.params.groupId)]);
	if (!group) error(404, 'Not found');
	return {
		group: {
			id: group.id,
			name: group.name,
			lifecycle: group.lifecycle,
			lifecycleLabel: describeStage(group.lifecycle, sessions)
		},
		isFacilitator: access.role === 'facilitator',
		// Flags and urgent messages waiting in the staff space (a count only).
		staffAlerts: access.role === 'facilitator' ? await countUnreadNotifications(access.userId, group.id) : 0,
		needsSignature: access.needsSignature
	};
};
