import { error } from '@sveltejs/kit';
import { careDocumentName, groupDocumentName, isId, staffDocumentName } from '$lib/board/document-names';
import { requireFacilitator } from '$lib/server/groups/access';
import { listMembers } from '$lib/server/groups/membership';
import { getGroup } from '$lib/server/groups/groups';
import { listGroupEmergencyAccess } from '$lib/server/emergency-access/grants';
import { formatSessionTime } from '$lib/server/schedule/zoned-time';
import { markNotificationsRead } from '$lib/server/moderation/notifications';
import type { Actions, PageServerLoad } from './$types';

// The facilitators' private space. requireFacilitator answers 404 to members and alumni, exactly as for
// a group that does not exist; the realtime server refuses them `staff:<g>` on its own as well.
// Loading records and marks nothing: the realtime server audits the opening of the staff document, and
// the facilitator marks alerts as seen with the `markSeen` action.
export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	const { user } = await requireFacilitator(event, groupId);
	const [members, group, emergencies] = await Promise.all([
		listMembers(groupId),
		getGroup(groupId),
		listGroupEmergencyAccess(groupId)
	]);
	if (!group) error(404, 'Not found');
	return {
		// Clinical leads who opened this board in an emergency: who, why, from when until when.
		emergencyAccess: emergencies.map((grant) => ({
			id: grant.id,
			lead: grant.lead,
			reason: grant.reason,
			state: grant.state,
			started: formatSessionTime(grant.startedAt, group.timeZone),
			until: formatSessionTime(grant.until, group.timeZone)
		})),
		me: { id: user.id, displayName: user.displayName },
		staffDocument: staffDocumentName(groupId),
		groupDocument: groupDocumentName(groupId),
		people: members.map((member) => ({
			id: member.userId,
			name: member.displayName,
			role: member.role,
			// Urgent messages live in each member's care document; facilitators may read them.
			careDocument: member.role === 'member' && member.active ? careDocumentName(groupId, member.userId) : null
		}))
	};
};

export const actions: Actions = {
	markSeen: async (event) => {
		const { user } = await requireFacilitator(event, event.params.groupId);
		await markNotificationsRead(user.id, event.params.groupId);
		return { seen: 'Marked as seen.' };
	}
};
