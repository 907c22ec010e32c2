// The invitation link. The token is in this path because it has to be (it is the link); it goes
// nowhere else — not into redirects, query strings or logs — and accepting sends the person away
// from it. Every action looks the token up again: nothing about it is trusted from the form.
import { fail, redirect } from '@sveltejs/kit';
import { AccountError, createAccount } from '$lib/server/auth/accounts';
import { signIn } from '$lib/server/auth/sign-in';
import { startSession } from '$lib/server/auth';
import { readText } from '$lib/server/auth/forms';
import { recordAudit } from '$lib/server/audit';
import { getGroupAccess } from '$lib/server/groups/access';
import { GroupRuleError } from '$lib/server/groups/errors';
import { acceptInvitation, InvitationError, lookUpInvitation } from '$lib/server/invitations';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const lookup = await lookUpInvitation(params.token);
	if (lookup.state !== 'open') return { state: lookup.state };
	const alreadyMember = locals.user ? (await getGroupAccess(locals.user.id, lookup.group.id)) !== null : false;
	return {
		state: 'open' as const,
		group: { id: lookup.group.id, name: lookup.group.name, description: lookup.group.description },
		note: lookup.note,
		signedInAs: locals.user?.displayName ?? null,
		alreadyMember,
		agreement: locals.user ? lookup.agreement : null
	};
};

async function requireOpenInvitation(token: string) {
	const lookup = await lookUpInvitation(token);
	if (lookup.state !== 'open') redirect(303, `/invite/${token}`);
	return lookup;
}

export const actions: Actions = {
	createAccount: async (event) => {
		await requireOpenInvitation(event.params.token);
		const form = await event.request.formData();
		const displayName = readText(form, 'displayName');
		const email = readText(form, 'email');
		try {
			// Invitees are always members of the practice; the role is never read from the form.
			const created = await createAccount({ displayName, email, password: readText(form, 'password'), role: 'member' });
			await startSession(event, created.id);
			await recordAudit({ action: 'account.created', actorId: created.id, objectType: 'user', objectId: created.id });
			await recordAudit({ action: 'auth.sign_in', actorId: created.id, objectType: 'user', objectId: created.id });
		} catch (e) {
			if (e instanceof AccountError) return fail(400, { action: 'createAccount', message: e.message, displayName, email });
			throw e;
		}
		return { action: 'createAccount' };
	},
	signIn: async (event) => {
		await requireOpenInvitation(event.params.token);
		const form = await event.request.formData();
		const email = readText(form, 'email');
		const result = await signIn(event, { email, password: readText(form, 'password'), via: 'invitation' });
		if (result.kind === 'refused') return fail(result.status, { action: 'signIn', email, message: result.message });
		return { action: 'signIn' };
	},
	accept: async (event) => {
		const user = event.locals.user;
		if (!user) return fail(401, { action: 'accept', message: 'Please sign in or create your account first.' });
		const form = await event.request.formData();
		if (readText(form, 'consent') !== 'on') {
			return fail(400, { action: 'accept', message: 'Please tick the box to confirm you agree.' });
		}
		let groupId: string;
		try {
			({ groupId } = await acceptInvitation({
				token: event.params.token,
				userId: user.id,
				typedName: readText(form, 'typedName'),
				agreementVersion: Number(readText(form, 'version'))
			}));
		} catch (e) {
			if (e instanceof InvitationError || e instanceof GroupRuleError) {
				return fail(400, { action: 'accept', message: e.message });
			}
			throw e;
		}
		redirect(303, `/groups/${groupId}`);
	}
};
