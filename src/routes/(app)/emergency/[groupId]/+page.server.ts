import { error } from '@sveltejs/kit';
import { groupDocumentName, isId } from '$lib/board/document-names';
import { refuse, requireUser } from '$lib/server/auth/guards';
import { getOpenEmergencyGrant } from '$lib/server/emergency-access/grants';
import { isClinicalLead } from '$lib/server/emergency-access/leads';
import { getGroup } from '$lib/server/groups/groups';
import { listMembers } from '$lib/server/groups/membership';
import { formatSessionTime } from '$lib/server/schedule/zoned-time';
import type { PageServerLoad } from './$types';

// A clinical lead's read-only view of one group's board during emergency access. This load authorises the
// page only and records nothing (a preload must not count as a view): the board's content comes over the
// socket, which the realtime server admits only with an open grant and records as
// `emergency_access.viewed` before the first byte.
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { groupId } = event.params;
	if (!isId(groupId) || !(await isClinicalLead(user.id))) return refuse(event, user, isId(groupId) ? groupId : null);
	const [group, grant] = await Promise.all([getGroup(groupId), getOpenEmergencyGrant(user.id, groupId)]);
	if (!group) error(404, 'Not found');
	if (!grant) return { group: { id: groupId, name: group.name }, grant: null };
	const members = await listMembers(groupId);
	return {
		group: { id: groupId, name: group.name },
		grant: { id: grant.id, until: formatSessionTime(grant.endsAt, group.timeZone) },
		documentName: groupDocumentName(groupId),
		me: { id: user.id, displayName: user.displayName },
		// Names for the posts' authors, as the group's facilitators see them.
		people: members.map((member) => ({ id: member.userId, name: member.displayName, role: member.role }))
	};
};
