// The invitation link. The token is in this path because it has to be (it is the link); it goes
// nowhere else — not into redirects, query strings or logs — and accepting sends the person away
// from it. Every action looks the token up again: nothing about it is trusted from the form.
import { fail, redirect } from '@sveltejs/kit';
import { AccountError, createAccount } from '$lib/server/auth/accounts';
import { signIn } from '$lib/server/auth/sign-in';
import { readPendingSignIn } from '$lib/server/auth/pending-sign-in';
import { submitSecondFactor } from '$lib/server/auth/second-factor-form';
import { startSession } from '$lib/server/auth';
import { newAccountForm, signInForm } from '$lib/server/auth/forms';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import { signatureForm } from '$lib/server/groups/forms';
import { recordAudit } from '$lib/server/audit';
import { getGroupAccess } from '$lib/server/groups/access';
import { GroupRuleError } from '$lib/server/groups/errors';
import { acceptInvitation, InvitationError, lookUpInvitation } from '$lib/server/invitations';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
	const { params, locals } = event;
	const lookup = await lookUpInvitation(params.token);
	if (lookup.state !== 'open') return { state: lookup.state };
	const alreadyMember = locals.user ? (await getGroupAccess(locals.user.id, lookup.group.id)) !== null : false;
	return {
		state: 'open' as const,
		group: { id: lookup.group.id, name: lookup.group.name, description: lookup.group.description },
		note: lookup.note,
		signedInAs: locals.user?.displayName ?? null,
		alreadyMember,
		agreement: locals.user ? lookup.agreement : null,
		// The password was right and a code is still to come: asked here, so the person stays on their invitation.
		askForCode: !locals.user && (await readPendingSignIn(event))?.step === 'code'
	};
};

async function requireOpenInvitation(token: string) {
	const lookup = await lookUpInvitation(token);
	if (lookup.state !== 'open') redirect(303, `/invite/${token}`);
	return lookup;
}

async function answerSecondFactor(event: RequestEvent, method: 'code' | 'recovery_code') {
	await requireOpenInvitation(event.params.token);
	const result = await submitSecondFactor(event, method);
	if (isRefused(result)) return result;
	if (result.kind === 'expired') {
		return fail(400, {
			action: 'signIn',
			message: 'Signing in took a little too long. Please enter your password again.'
		});
	}
	return { action: 'signIn' };
}

export const actions = {
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
		// A staff account still without a second factor enrols first, then opens the link again.
		if (result.kind === 'second-factor' && result.step === 'enrol') redirect(303, '/login/enrol');
		return { action: 'signIn' };
	},
	code: (event) => answerSecondFactor(event, 'code'),
	recoveryCode: (event) => answerSecondFactor(event, 'recovery_code'),
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
} satisfies Actions;
