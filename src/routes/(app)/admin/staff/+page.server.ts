import { fail } from '@sveltejs/kit';
import { AccountError, createAccount, listStaff } from '$lib/server/auth/accounts';
import { requireAdmin } from '$lib/server/auth/guards';
import { accountEmailForm, newAccountForm } from '$lib/server/auth/forms';
import { findAccountIdByEmail, listSecondFactorHolders, resetSecondFactor } from '$lib/server/auth/account-recovery';
import { makeResetLink, runRecoveryCommand } from '$lib/server/auth/recovery-actions';
import { isRefused, parseForm, readTyped, runCommand } from '$lib/server/forms';
import { clinicalLeadForm } from '$lib/server/emergency-access/forms';
import { EmergencyAccessError } from '$lib/server/emergency-access/errors';
import { listClinicalLeadIds, setClinicalLead } from '$lib/server/emergency-access/leads';
import { recordAudit } from '$lib/server/audit';
import { describeRetention, getRetentionMonths } from '$lib/server/retention';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = await requireAdmin(event);
	const staff = await listStaff();
	const [twoStep, leads] = await Promise.all([
		listSecondFactorHolders(staff.map((person) => person.id)),
		listClinicalLeadIds()
	]);
	return {
		selfId: admin.id,
		keptFor: describeRetention(await getRetentionMonths()),
		staff: staff.map(({ id, displayName, email, role }) => ({
			id,
			displayName,
			email,
			role,
			twoStep: twoStep.has(id),
			clinicalLead: leads.has(id)
		}))
	};
};

/** The account named by the form's email, for the recovery actions; a refusal for the page when none. */
async function readAccount(event: RequestEvent, action: string) {
	const form = await event.request.formData();
	const input = parseForm(form, accountEmailForm, { action, ...readTyped(form, 'email') });
	if (isRefused(input)) return input;
	const userId = await findAccountIdByEmail(input.email);
	if (!userId) return fail(400, { action, email: input.email, message: 'No account uses that email address.' });
	return { userId };
}

export const actions: Actions = {
	createStaff: async (event) => {
		const admin = await requireAdmin(event);
		const form = await event.request.formData();
		const typed = readTyped(form, 'displayName', 'email');
		const input = parseForm(form, newAccountForm, typed);
		if (isRefused(input)) return input;
		try {
			// The role is fixed here, never read from the form: this page only ever creates staff.
			const created = await createAccount({ ...input, role: 'staff' });
			await recordAudit({ action: 'staff.created', actorId: admin.id, objectType: 'user', objectId: created.id });
		} catch (e) {
			if (e instanceof AccountError) return fail(400, { ...typed, message: e.message });
			throw e;
		}
		return { created: `${input.displayName} can now sign in.` };
	},
	resetLink: async (event) => {
		const admin = await requireAdmin(event);
		const account = await readAccount(event, 'resetLink');
		if (isRefused(account)) return account;
		return makeResetLink({
			issuer: { kind: 'admin', actorId: admin.id, actorRole: admin.role },
			userId: account.userId,
			origin: event.url.origin
		});
	},
	/** Marks a staff account as a clinical lead (emergency access), or takes the mark away; audited. */
	clinicalLead: async (event) => {
		const admin = await requireAdmin(event);
		const input = parseForm(await event.request.formData(), clinicalLeadForm, { action: 'clinicalLead' });
		if (isRefused(input)) return input;
		return runCommand(
			'clinicalLead',
			async () => {
				await setClinicalLead({ adminId: admin.id, userId: input.userId, lead: input.lead === 'yes' });
				return {
					action: 'clinicalLead',
					saved: input.lead === 'yes' ? 'Marked as a clinical lead.' : 'No longer a clinical lead.'
				};
			},
			{ shown: (e) => e instanceof EmergencyAccessError }
		);
	},
	resetSecondFactor: async (event) => {
		const admin = await requireAdmin(event);
		const account = await readAccount(event, 'resetSecondFactor');
		if (isRefused(account)) return account;
		return runRecoveryCommand('resetSecondFactor', async () => {
			await resetSecondFactor({ actorId: admin.id, actorRole: admin.role, userId: account.userId });
			return {
				action: 'resetSecondFactor',
				saved:
					'Two-step sign-in is reset and they are signed out everywhere. A staff account sets it up again at its next sign-in.'
			};
		});
	}
};
