import { error } from '@sveltejs/kit';
import { groupDocumentName, isId } from '$lib/board/document-names';
import { requireGroupMember } from '$lib/server/groups/access';
import { getGroup } from '$lib/server/groups/groups';
import { listMembers } from '$lib/server/groups/membership';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	// Authorises this page only; the realtime server authorises the socket again on its own.
	const { user, access } = await requireGroupMember(event, groupId);
	const [group, members] = await Promise.all([getGroup(groupId), listMembers(groupId)]);
	if (!group) error(404, 'Not found');
	return {
		group: { name: group.name },
		me: { id: user.id, displayName: user.displayName },
		role: access.role,
		canWrite: access.canWrite,
		documentName: groupDocumentName(groupId),
		// Names for posts by people not here right now; former members keep their name on what they wrote.
		people: members.map((member) => ({ id: member.userId, name: member.displayName, role: member.role }))
	};
};
