import { error, fail, redirect } from '@sveltejs/kit';
import {
	AccountDeletionError,
	deleteAccountForm,
	deleteMemberAccount,
	getDeletableMember
} from '$lib/server/account-deletion';
import { refuse } from '$lib/server/auth/guards';
import { requireFacilitator } from '$lib/server/groups/access';
import { NotInGroupError } from '$lib/server/groups/errors';
import { isRefused, parseForm } from '$lib/server/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/** The member this page is about: 404 unless they are or were a member of this facilitator's group. */
async function requireDeletable(event: RequestEvent) {
	const { user, access } = await requireFacilitator(event, event.params.groupId);
	try {
		const member = await getDeletableMember({ actorId: user.id, userId: event.params.userId, groupId: access.groupId });
		return { user, access, member };
	} catch (e) {
		if (e instanceof NotInGroupError) return refuse(event, user, event.params.userId);
		throw e;
	}
}

export const load: PageServerLoad = async (event) => {
	const { member } = await requireDeletable(event);
	return { member: { userId: member.userId, displayName: member.displayName } };
};

export const actions: Actions = {
	delete: async (event) => {
		const { user, access, member } = await requireDeletable(event);
		const input = parseForm(await event.request.formData(), deleteAccountForm);
		if (isRefused(input)) return input;
		try {
			await deleteMemberAccount({
				actorId: user.id,
				userId: member.userId,
				groupId: access.groupId,
				password: input.password,
				address: event.getClientAddress()
			});
		} catch (e) {
			if (e instanceof AccountDeletionError) return fail(400, { message: e.message });
			if (e instanceof NotInGroupError) error(404, 'Not found');
			throw e;
		}
		redirect(303, `/groups/${access.groupId}/members?deleted=1`);
	}
};
