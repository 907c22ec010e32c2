import { error } from '@sveltejs/kit';
import { careDocumentName, groupDocumentName, isId, journalDocumentName } from '$lib/board/document-names';
import { getCoolOff } from '$lib/server/cool-off';
import { requireGroupMember } from '$lib/server/groups/access';
import { getGroup } from '$lib/server/groups/groups';
import { listMembers } from '$lib/server/groups/membership';
import type { PageServerLoad } from './$types';

// The journal belongs to the person, not the group (`journal:<userId>`); it is opened from a group so that
// "share with the group" and "share with my facilitators" know which group and who exactly will read it.
export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	const { user, access } = await requireGroupMember(event, groupId);
	const [group, members, coolOff] = await Promise.all([getGroup(groupId), listMembers(groupId), getCoolOff(groupId)]);
	if (!group) error(404, 'Not found');
	const active = members.filter((member) => member.active);
	return {
		group: { name: group.name },
		me: { id: user.id, displayName: user.displayName },
		role: access.role,
		canWriteGroup: access.canWrite,
		groupId,
		// Posts held during the cool-off after a journey can be shared once it ends (board/cool-off.ts).
		coolOff: access.role === 'member' ? coolOff.windows : [],
		journalName: journalDocumentName(user.id),
		groupName: groupDocumentName(groupId),
		careName: access.role === 'member' ? careDocumentName(groupId, user.id) : null,
		// Who exactly will see a share, named in the confirmation.
		facilitators: active.filter((m) => m.role === 'facilitator').map((m) => m.displayName),
		groupPeople: active.filter((m) => m.userId !== user.id).map((m) => m.displayName)
	};
};
