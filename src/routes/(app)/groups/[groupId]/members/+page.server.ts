import { requireFacilitator } from '$lib/server/groups/access';
import { isRefused, parseForm } from '$lib/server/forms';
import { addFacilitatorForm, memberForm } from '$lib/server/groups/forms';
import { invitationForm, invitationIdForm } from '$lib/server/invitations/forms';
import { muteForm } from '$lib/server/moderation/forms';
import { getGroup } from '$lib/server/groups/groups';
import { addFacilitator, listAddableStaff, listMembers, removeMember } from '$lib/server/groups/membership';
import { listMuteEnds, muteMember, unmuteMember } from '$lib/server/moderation/mutes';
import { runGroupCommand } from '$lib/server/groups/route-actions';
import {
	createInvitation,
	listInvitations,
	reissueInvitation,
	revokeInvitation,
	type CreatedInvitation
} from '$lib/server/invitations';
import { isMailConfigured } from '$lib/server/mail';
import { makeResetLink } from '$lib/server/auth/recovery-actions';
import { formatSessionTime } from '$lib/server/schedule/zoned-time';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { user, access } = await requireFacilitator(event, event.params.groupId);
	const [group, members, invitations, addable, muteEnds] = await Promise.all([
		getGroup(access.groupId),
		listMembers(access.groupId),
		listInvitations(access.groupId),
		listAddableStaff(access.groupId),
		listMuteEnds(access.groupId)
	]);
	const zone = group!.timeZone;
	return {
		selfId: user.id,
		capacity: group!.capacity,
		acceptsInvitations: access.lifecycle === 'forming' || access.lifecycle === 'active',
		mailConfigured: isMailConfigured(),
		members: members.map((m) => ({
			userId: m.userId,
			displayName: m.displayName,
			role: m.role,
			facilitatorLabel: m.facilitatorLabel,
			active: m.active,
			muted: m.muted,
			mutedUntil: m.muted && muteEnds.has(m.userId) ? formatSessionTime(muteEnds.get(m.userId)!, zone) : null,
			state: m.state,
			stateLabel: m.stateLabel,
			// A member's account can be deleted from here (their own request, passed on by a facilitator).
			deletable: m.role === 'member' && !m.accountDeleted
		})),
		invitations: invitations.map((i) => ({
			id: i.id,
			email: i.email,
			note: i.note,
			state: i.state,
			expires: formatSessionTime(i.expiresAt, zone)
		})),
		addableStaff: addable,
		deleted: event.url.searchParams.has('deleted')
	};
};

function describeDelivery(created: CreatedInvitation): string {
	if (created.mail === 'sent') return 'Invitation emailed. You can also copy the link below.';
	if (created.mail === 'failed')
		return 'The email could not be sent. Please copy the link below and share it yourself.';
	return 'Invitation created. Copy the link below and share it with them privately.';
}

export const actions: Actions = {
	invite: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), invitationForm, { action: 'invite' });
		if (isRefused(input)) return input;
		const result = await runGroupCommand('invite', () =>
			createInvitation({
				groupId: access.groupId,
				actorId: user.id,
				email: input.email ?? '',
				note: input.note ?? '',
				origin: event.url.origin
			})
		);
		if ('link' in result) {
			return { action: 'invite', link: result.link, saved: describeDelivery(result) };
		}
		return result;
	},
	reissue: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), invitationIdForm, { action: 'reissue' });
		if (isRefused(input)) return input;
		const result = await runGroupCommand('reissue', () =>
			reissueInvitation({ ...input, groupId: access.groupId, actorId: user.id, origin: event.url.origin })
		);
		if ('link' in result) {
			return {
				action: 'invite',
				link: result.link,
				saved: `A fresh link replaces the old one. ${describeDelivery(result)}`
			};
		}
		return result;
	},
	revoke: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), invitationIdForm, { action: 'revoke' });
		if (isRefused(input)) return input;
		return runGroupCommand('revoke', async () => {
			await revokeInvitation({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'revoke', saved: 'Invitation withdrawn. Its link no longer works.' };
		});
	},
	mute: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), muteForm, { action: 'members' });
		if (isRefused(input)) return input;
		return runGroupCommand('members', async () => {
			await muteMember({ ...input, groupId: access.groupId, actorId: user.id });
			return {
				action: 'members',
				saved: input.hours
					? `Muted for ${input.hours} hours: they can read but not post, and can still message the facilitators.`
					: 'Muted: they can read but not post, and can still message the facilitators.'
			};
		});
	},
	unmute: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), memberForm, { action: 'members' });
		if (isRefused(input)) return input;
		return runGroupCommand('members', async () => {
			await unmuteMember({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'members', saved: 'They can post again.' };
		});
	},
	remove: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), memberForm, { action: 'members' });
		if (isRefused(input)) return input;
		return runGroupCommand('members', async () => {
			await removeMember({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'members', saved: 'Removed. Their access ended immediately.' };
		});
	},
	resetLink: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), memberForm, { action: 'resetLink' });
		if (isRefused(input)) return input;
		return makeResetLink({
			issuer: { kind: 'facilitator', actorId: user.id, groupId: access.groupId },
			userId: input.userId,
			origin: event.url.origin
		});
	},
	addFacilitator: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), addFacilitatorForm, { action: 'addFacilitator' });
		if (isRefused(input)) return input;
		return runGroupCommand('addFacilitator', async () => {
			await addFacilitator({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'addFacilitator', saved: 'Co-facilitator added.' };
		});
	}
};
