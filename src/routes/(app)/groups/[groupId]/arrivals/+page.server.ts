import { error } from '@sveltejs/kit';
import { isId } from '$lib/board/document-names';
import { requireFacilitator } from '$lib/server/groups/access';
import { ARRIVAL_STATUS_LABELS, getGroupArrivals } from '$lib/server/trends';
import type { PageServerLoad } from './$types';

// Facilitators only: members, and facilitators of other groups, get the same 404 as for a page that does
// not exist. Intentions are read only for members who chose to show them (getGroupArrivals).
export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	await requireFacilitator(event, groupId);
	return { members: await getGroupArrivals(groupId), statusLabels: ARRIVAL_STATUS_LABELS };
};
