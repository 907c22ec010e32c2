import { error } from '@sveltejs/kit';
import { careDocumentName, groupDocumentName, isId, staffDocumentName } from '$lib/board/document-names';
import { recordAudit } from '$lib/server/audit';
import { requireFacilitator } from '$lib/server/groups/access';
import { listMembers } from '$lib/server/groups/membership';
import { markNotificationsRead } from '$lib/server/moderation/notifications';
import type { PageServerLoad } from './$types';

// The facilitators' private space. requireFacilitator answers 404 to members and alumni, exactly as for
// a group that does not exist; the realtime server refuses them `staff:<g>` on its own as well.
export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	const { user } = await requireFacilitator(event, groupId);
	const [members] = await Promise.all([
		listMembers(groupId),
		markNotificationsRead(user.id, groupId),
		recordAudit({ action: 'staff_space.viewed', actorId: user.id, objectType: 'group', objectId: groupId, groupId })
	]);
	return {
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
