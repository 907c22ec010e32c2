import { redirect } from '@sveltejs/kit';
import { requireFacilitator, requireGroupMember } from '$lib/server/groups/access';
import { describeExportProblem } from '$lib/server/export';
import { isRefused, parseForm } from '$lib/server/forms';
import { lifecycleForm } from '$lib/server/groups/forms';
import { DEFAULT_ALUMNI_AGREEMENT } from '$lib/server/groups/agreements';
import {
	changeLifecycle,
	getGroup,
	LIFECYCLE_LABELS,
	NEXT_LIFECYCLE,
	pickShownSession
} from '$lib/server/groups/groups';
import { leaveGroup, listMembers } from '$lib/server/groups/membership';
import { runGroupCommand } from '$lib/server/groups/route-actions';
import { listSessions, presentSession } from '$lib/server/schedule/program';
import { formatDay, getRetentionNotice } from '$lib/server/retention';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { access } = await requireGroupMember(event, event.params.groupId);
	const [group, sessions, members, retention] = await Promise.all([
		getGroup(access.groupId),
		listSessions(access.groupId),
		listMembers(access.groupId),
		getRetentionNotice(access.groupId)
	]);
	const zone = group!.timeZone;
	const next = pickShownSession(access.lifecycle, sessions);
	const nextLifecycle = NEXT_LIFECYCLE[access.lifecycle];
	return {
		description: group!.description,
		timeZone: zone,
		role: access.role,
		muted: access.muted,
		canWrite: access.canWrite,
		nextSession:
			next &&
			(({ label, when, state }) => ({ label, when, inProgress: state === 'in_progress' }))(presentSession(next, zone)),
		facilitators: members
			.filter((m) => m.active && m.role === 'facilitator')
			.map((m) => ({ userId: m.userId, displayName: m.displayName, label: m.facilitatorLabel })),
		memberCount: members.filter((m) => m.active && m.role === 'member').length,
		capacity: group!.capacity,
		// Only in the last 30 days before the ended group's board is deleted, and never while on hold.
		deletesOn: retention?.deletesAt ? formatDay(retention.deletesAt, zone) : null,
		// Facilitators only: the group's record, for the practice (a refused export comes back with a code).
		exportProblem: access.role === 'facilitator' ? describeExportProblem(event.url.searchParams.get('export')) : null,
		lifecycle:
			access.role === 'facilitator' && nextLifecycle
				? {
						next: nextLifecycle,
						nextLabel: LIFECYCLE_LABELS[nextLifecycle],
						defaultAlumniAgreement: nextLifecycle === 'alumni' ? DEFAULT_ALUMNI_AGREEMENT : null
					}
				: null
	};
};

export const actions: Actions = {
	changeLifecycle: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), lifecycleForm, { action: 'changeLifecycle' });
		if (isRefused(input)) return input;
		return runGroupCommand('changeLifecycle', async () => {
			await changeLifecycle({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'changeLifecycle', saved: 'The group has moved on to its next stage.' };
		});
	},
	leave: async (event) => {
		const { user, access } = await requireGroupMember(event, event.params.groupId, { allowUnsigned: true });
		const result = await runGroupCommand('leave', () => leaveGroup({ groupId: access.groupId, userId: user.id }));
		if (result) return result;
		redirect(303, '/?left=1');
	}
};
