import { requireFacilitator } from '$lib/server/groups/access';
import { isAuditAction, listAuditEvents } from '$lib/server/audit';
import { presentAuditEvents } from '$lib/server/audit/present';
import { getGroup } from '$lib/server/groups/groups';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 100;

export const load: PageServerLoad = async (event) => {
	const { access } = await requireFacilitator(event, event.params.groupId);
	const group = await getGroup(access.groupId);
	const action = event.url.searchParams.get('action') ?? '';
	const before = Number(event.url.searchParams.get('before')) || undefined;
	const rows = await listAuditEvents({
		groupId: access.groupId,
		action: isAuditAction(action) ? action : undefined,
		beforeId: before,
		limit: PAGE_SIZE
	});
	const events = await presentAuditEvents(rows, group!.timeZone);
	return {
		filter: { action: isAuditAction(action) ? action : '' },
		events: events.map(({ id, at, action, actionLabel, actor, object, detail }) => ({
			id,
			at,
			action,
			actionLabel,
			actor,
			object,
			detail
		})),
		olderThan: rows.length === PAGE_SIZE ? rows[rows.length - 1].id : null
	};
};
