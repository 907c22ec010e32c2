import { fail, redirect } from '@sveltejs/kit';
import { requireFacilitator, requireGroupMember } from '$lib/server/groups/access';
import { isRefused, parseForm } from '$lib/server/forms';
import { publishAgreementForm, signatureForm } from '$lib/server/groups/forms';
import {
	getCurrentAgreement,
	getLatestSignature,
	publishAgreement,
	signAgreement
} from '$lib/server/groups/agreements';
import { getGroup } from '$lib/server/groups/groups';
import { declineAgreement } from '$lib/server/groups/membership';
import { runGroupCommand } from '$lib/server/groups/route-actions';
import { formatSessionTime } from '$lib/server/schedule/zoned-time';
import { describeRetention, formatDay, getRetentionNotice } from '$lib/server/retention';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { user, access } = await requireGroupMember(event, event.params.groupId, { allowUnsigned: true });
	const [group, current, signature, retention] = await Promise.all([
		getGroup(access.groupId),
		getCurrentAgreement(access.groupId),
		getLatestSignature(access.groupId, user.id),
		getRetentionNotice(access.groupId)
	]);
	return {
		role: access.role,
		needsSignature: access.needsSignature,
		canEdit: access.role === 'facilitator' && access.lifecycle !== 'archived',
		agreement: current && { version: current.version, kind: current.kind, body: current.body },
		signature: signature && {
			version: signature.version,
			signedAt: formatSessionTime(signature.signedAt, group!.timeZone)
		},
		hasSignedBefore: signature !== null,
		retention: {
			keptFor: describeRetention(retention!.months),
			deletesOn: retention!.deletesAt && formatDay(retention!.deletesAt, group!.timeZone)
		}
	};
};

export const actions: Actions = {
	sign: async (event) => {
		const { user, access } = await requireGroupMember(event, event.params.groupId, { allowUnsigned: true });
		const input = parseForm(await event.request.formData(), signatureForm, { action: 'sign' });
		if (isRefused(input)) return input;
		const result = await runGroupCommand('sign', () =>
			signAgreement({ groupId: access.groupId, userId: user.id, typedName: input.typedName, version: input.version })
		);
		if (result) return result;
		redirect(303, `/groups/${access.groupId}`);
	},
	decline: async (event) => {
		const { user, access } = await requireGroupMember(event, event.params.groupId, { allowUnsigned: true });
		if (access.role !== 'member')
			return fail(400, { action: 'decline', message: 'Facilitators do not sign the agreement.' });
		const result = await runGroupCommand('decline', () =>
			declineAgreement({ groupId: access.groupId, userId: user.id })
		);
		if (result) return result;
		redirect(303, '/?left=1');
	},
	publish: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), publishAgreementForm, { action: 'publish' });
		if (isRefused(input)) return input;
		return runGroupCommand('publish', async () => {
			const created = await publishAgreement({ groupId: access.groupId, actorId: user.id, body: input.body });
			return { action: 'publish', saved: `Version ${created.version} is now in force. Members are asked to sign it.` };
		});
	}
};
