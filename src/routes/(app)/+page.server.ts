import { requireUser } from '$lib/server/auth/guards';
import { listGroupsForUser } from '$lib/server/groups/groups';
import { describeRecordsDeleted } from '$lib/server/retention';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const groups = await listGroupsForUser(user.id);
	return {
		displayName: user.displayName,
		justLeft: event.url.searchParams.has('left'),
		canFormGroups: user.role === 'staff' || user.role === 'admin',
		groups: groups.map((g) => ({
			id: g.id,
			name: g.name,
			lifecycle: g.lifecycle,
			lifecycleLabel: g.lifecycleLabel,
			isFacilitator: g.role === 'facilitator',
			needsSignature: g.needsSignature,
			// Staff keep a purged group in their list, with this in place of its links.
			recordsDeleted: g.recordsDeleted && describeRecordsDeleted(g.recordsDeleted.on, g.timeZone),
			nextSession: g.nextSession && {
				label: g.nextSession.label,
				when: g.nextSession.when,
				stateLabel: g.nextSession.stateLabel,
				inProgress: g.nextSession.state === 'in_progress'
			}
		}))
	};
};
