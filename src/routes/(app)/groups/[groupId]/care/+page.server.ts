import { error } from '@sveltejs/kit';
import { careDocumentName, isId } from '$lib/board/document-names';
import { requireGroupMember } from '$lib/server/groups/access';
import { getGroup } from '$lib/server/groups/groups';
import { listMembers } from '$lib/server/groups/membership';
import type { PageServerLoad } from './$types';

// A member's line to their facilitators (`care:<g>:<member>`): the member sees their own; facilitators see
// the list of members, each opening that member's line. The realtime server authorises each socket again.
// A member who has yet to sign a new agreement keeps this line (it holds nothing of the other members'),
// as the realtime server's getDocumentAccess does for the care document.
export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	const { user, access } = await requireGroupMember(event, groupId, { allowUnsigned: true });
	const [group, members] = await Promise.all([getGroup(groupId), listMembers(groupId)]);
	if (!group) error(404, 'Not found');
	const active = members.filter((member) => member.active);
	return {
		group: { name: group.name },
		me: { id: user.id, displayName: user.displayName },
		role: access.role,
		documentName: access.role === 'member' ? careDocumentName(groupId, user.id) : null,
		// The care document holds only the member's words and the facilitators': name nobody else.
		people: active
			.filter((m) => access.role === 'facilitator' || m.role === 'facilitator' || m.userId === user.id)
			.map((m) => ({ id: m.userId, name: m.displayName, role: m.role })),
		members:
			access.role === 'facilitator'
				? active.filter((m) => m.role === 'member').map((m) => ({ id: m.userId, name: m.displayName }))
				: []
	};
};
