// The invitation link. The token is in this path because it has to be (it is the link); it goes
// nowhere else — not into redirects, query strings or logs — and accepting sends the person away
// from it. Every action looks the token up again: nothing about it is trusted from the form.
import { fail, redirect } from '@sveltejs/kit';
import { AccountError, createAccount } from '$lib/server/auth/accounts';
import { signIn } from '$lib/server/auth/sign-in';
import { startSession } from '$lib/server/auth';
import { newAccountForm, signInForm } from '$lib/server/auth/forms';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import { signatureForm } from '$lib/server/groups/forms';
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
		const typed = { action: 'createAccount', ...readTyped(form, 'displayName', 'email') };
		const input = parseForm(form, newAccountForm, typed);
		if (isRefused(input)) return input;
		try {
			// Invitees are always members of the practice; the role is never read from the form.
			const created = await createAccount({ ...input, role: 'member' });
			await startSession(event, created.id);
			await recordAudit({ action: 'account.created', actorId: created.id, objectType: 'user', objectId: created.id });
			await recordAudit({ action: 'auth.sign_in', actorId: created.id, objectType: 'user', objectId: created.id });
		} catch (e) {
			if (e instanceof AccountError) return fail(400, { ...typed, message: e.message });
			throw e;
		}
		return { action: 'createAccount' };
	},
	signIn: async (event) => {
		await requireOpenInvitation(event.params.token);
		const form = await event.request.formData();
		const input = parseForm(form, signInForm, { action: 'signIn', ...readTyped(form, 'email') });
		if (isRefused(input)) return input;
		const result = await signIn(event, { ...input, via: 'invitation' });
		if (result.kind === 'refused')
			return fail(result.status, { action: 'signIn', email: input.email, message: result.message });
		return { action: 'signIn' };
	},
	accept: async (event) => {
		const user = event.locals.user;
		if (!user) return fail(401, { action: 'accept', message: 'Please sign in or create your account first.' });
		const input = parseForm(await event.request.formData(), signatureForm, { action: 'accept' });
		if (isRefused(input)) return input;
		let groupId: string;
		try {
			({ groupId } = await acceptInvitation({
				token: event.params.token,
				userId: user.id,
				typedName: input.typedName,
				agreementVersion: input.version
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
