import { error } from '@sveltejs/kit';
import { careDocumentName, isId } from '$lib/board/document-names';
import { requireFacilitator } from '$lib/server/groups/access';
import { listMembers } from '$lib/server/groups/membership';
import type { PageServerLoad } from './$types';

// A facilitator reading one member's care thread. Only facilitators of this group, and only for people
// who are members of it now: anything else is a 404, like a page that does not exist.
export const load: PageServerLoad = async (event) => {
	const { groupId, memberId } = event.params;
	if (!isId(groupId) || !isId(memberId)) error(404, 'Not found');
	const { user, access } = await requireFacilitator(event, groupId);
	const members = (await listMembers(groupId)).filter((m) => m.active);
	const member = members.find((m) => m.userId === memberId && m.role === 'member');
	if (!member) error(404, 'Not found');
	// Reading someone's confidential thread is recorded, as health records require: by the realtime
	// server when the thread's socket opens (audit/document-views.ts), not here, where a hover preloads.
	return {
		me: { id: user.id, displayName: user.displayName },
		role: access.role,
		member: { name: member.displayName },
		documentName: careDocumentName(groupId, memberId),
		people: members.map((m) => ({ id: m.userId, name: m.displayName, role: m.role }))
	};
};
