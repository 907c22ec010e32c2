import { error } from '@sveltejs/kit';
import {
	archiveDocumentName,
	groupDocumentName,
	isId,
	isQuarter,
	journalDocumentName
} from '$lib/board/document-names';
import { describeQuarter } from '$lib/board/periods';
import { listArchives } from '$lib/server/archive/archive';
import { getCoolOff } from '$lib/server/cool-off';
import { requireGroupMember } from '$lib/server/groups/access';
import { getGroup } from '$lib/server/groups/groups';
import { listMembers } from '$lib/server/groups/membership';
import { listPrompts, PROMPT_KIND_LABELS } from '$lib/server/prompts';
import { listSessions, pickNextSession, presentSession } from '$lib/server/schedule/program';
import type { PageServerLoad } from './$types';

/** The board view that is not one program session: the alumni space (and posts made outside any session). */
const ALUMNI_VIEW = 'alumni';

export const load: PageServerLoad = async (event) => {
	const { groupId } = event.params;
	if (!isId(groupId)) error(404, 'Not found');
	// Authorises this page only; the realtime server authorises the socket again on its own.
	const { user, access } = await requireGroupMember(event, groupId);
	const [group, members, sessions, archives, coolOff] = await Promise.all([
		getGroup(groupId),
		listMembers(groupId),
		listSessions(groupId),
		listArchives(groupId),
		getCoolOff(groupId)
	]);
	if (!group) error(404, 'Not found');

	const alumni = group.lifecycle === 'alumni';
	const presented = sessions.map((session) => presentSession(session, group.timeZone));
	// The board opens on the session happening now or next; alumni open on their own space.
	const current = pickNextSession(sessions) ?? sessions.at(-1) ?? null;
	const home = alumni || !current ? ALUMNI_VIEW : current.id;
	// Finished sessions and quiet alumni threads are kept in archives (server/archive): a view opens the
	// archive it has, if any, so the board itself stays small. Quarters of alumni time are views of their own.
	const quarters = archives.filter(isQuarter);
	const asked = event.url.searchParams.get('session');
	const view =
		asked === ALUMNI_VIEW || presented.some((s) => s.id === asked) || quarters.includes(asked!) ? asked! : home;
	const archived = archives.includes(view);

	// Prompts are not confidential, but only people who may open a round need them: facilitators, and in
	// an alumni group members too (whether they may is the group's setting, in the board document).
	const prompts = access.role === 'facilitator' || alumni ? await listPrompts(groupId) : [];

	return {
		group: { id: groupId, name: group.name, lifecycle: group.lifecycle },
		alumniSince: alumni ? group.lifecycleChangedAt.getTime() : null,
		me: { id: user.id, displayName: user.displayName },
		role: access.role,
		canWrite: access.canWrite,
		documentName: archived ? archiveDocumentName(groupId, view) : groupDocumentName(groupId),
		archived,
		// When a member's new group posts wait in their journal; the realtime server enforces the same windows.
		coolOff: access.role === 'member' ? coolOff.windows : [],
		// Latest first, as the alumni circle reads.
		quarters: quarters.map((id) => ({ id, label: describeQuarter(id) })).reverse(),
		// Private notes written in quiet mode go to the member's own journal, never to the group.
		journalDocumentName: journalDocumentName(user.id),
		// Names for posts by people not here right now; former members keep their name on what they wrote.
		people: members.map((member) => ({
			id: member.userId,
			name: member.displayName,
			role: member.role,
			active: member.active
		})),
		sessions: presented.map(({ id, kind, label, state, stateLabel, when }) => ({
			id,
			kind,
			label,
			state,
			stateLabel,
			when
		})),
		view,
		home,
		currentSessionId: current?.id ?? null,
		prompts: (alumni && access.role !== 'facilitator' ? prompts.filter((p) => p.kind === 'alumni') : prompts).map(
			(prompt) => ({ ...prompt, kindLabel: PROMPT_KIND_LABELS[prompt.kind] })
		)
	};
};
