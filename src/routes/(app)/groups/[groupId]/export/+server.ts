import { requireFacilitator } from '$lib/server/groups/access';
import { answerExport, exportGroupRecord } from '$lib/server/export';
import type { RequestHandler } from './$types';

// Facilitators of this group only (404 for everyone else); a POST, so nothing of it is in an address.
export const POST: RequestHandler = async (event) => {
	const { user, access } = await requireFacilitator(event, event.params.groupId);
	return answerExport(event, { path: `/groups/${access.groupId}`, anchor: 'record' }, (request) =>
		exportGroupRecord({ ...request, groupId: access.groupId, actorId: user.id })
	);
};
