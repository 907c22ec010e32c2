import { fail, redirect } from '@sveltejs/kit';
import { AccountError, changePassword } from '$lib/server/auth/accounts';
import { endAllSessions, startSession } from '$lib/server/auth';
import { requireUser } from '$lib/server/auth/guards';
import { changePasswordForm, currentPasswordForm, turnOffSecondFactorForm } from '$lib/server/auth/forms';
import { getSecondFactorStatus, requiresSecondFactor } from '$lib/server/auth/second-factor';
import { renewRecoveryCodes, turnOffSecondFactor } from '$lib/server/auth/second-factor-settings';
import { startEnrolment } from '$lib/server/auth/sign-in';
import { isRefused, parseForm, runCommand } from '$lib/server/forms';
import { recordAudit } from '$lib/server/audit';
import { listDataAccess } from '$lib/server/audit/data-access';
import { describeExportProblem } from '$lib/server/export';
import { createCalendarLink, getCalendarSettings, revokeCalendarLink, setCalendarNames } from '$lib/server/calendar';
import { calendarNamesForm } from '$lib/server/calendar/forms';
import { isMailConfigured } from '$lib/server/mail';
import { getEmailSettings, saveEmailSettings } from '$lib/server/notifications/email';
import { emailSettingsForm } from '$lib/server/notifications/forms';
import { listTimeZones } from '$lib/server/schedule/zoned-time';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return {
		email: user.email,
		exportProblem: describeExportProblem(event.url.searchParams.get('export')),
		secondFactor: { ...(await getSecondFactorStatus(user.id)), required: requiresSecondFactor(user.role) },
		dataAccess: await listDataAccess(user.id),
		calendar: await getCalendarSettings(user.id),
		notificationEmail: {
			...(await getEmailSettings(user.id)),
			mailConfigured: isMailConfigured(),
			timeZones: listTimeZones()
		}
	};
};

/** An account command whose refusals (AccountError) are for the person to read. */
function runAccountCommand<T>(action: string, command: () => Promise<T>) {
	return runCommand(action, command, { shown: (e) => e instanceof AccountError });
}

export const actions: Actions = {
	saveNotificationEmail: async (event) => {
		const user = requireUser(event);
		const input = parseForm(await event.request.formData(), emailSettingsForm, { action: 'notificationEmail' });
		if (isRefused(input)) return input;
		await saveEmailSettings(user.id, input);
		return { action: 'notificationEmail', saved: 'Saved. Hearth emails you this way from now on.' };
	},
	changePassword: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		const input = parseForm(form, changePasswordForm, { action: 'changePassword' });
		if (isRefused(input)) return input;
		const changed = await runAccountCommand('changePassword', () =>
			changePassword({
				userId: user.id,
				currentPassword: input.currentPassword,
				newPassword: input.newPassword,
				address: event.getClientAddress()
			})
		);
		if (isRefused(changed)) return changed;
		await recordAudit({ action: 'auth.password_changed', actorId: user.id, objectType: 'user', objectId: user.id });
		// Changing the password signed out every device, this one included; keep this one signed in.
		await startSession(event, user.id);
		return { action: 'changePassword', saved: 'Your password is changed. Other devices have been signed out.' };
	},
	turnOnSecondFactor: async (event) => {
		const user = requireUser(event);
		if ((await getSecondFactorStatus(user.id)).enabled) {
			return fail(400, { action: 'secondFactor', message: 'Two-step sign-in is already on.' });
		}
		await startEnrolment(event, user.id);
		redirect(303, '/login/enrol');
	},
	renewRecoveryCodes: async (event) => {
		const user = requireUser(event);
		const input = parseForm(await event.request.formData(), currentPasswordForm, { action: 'renewRecoveryCodes' });
		if (isRefused(input)) return input;
		return runAccountCommand('renewRecoveryCodes', async () => ({
			action: 'renewRecoveryCodes',
			recoveryCodes: await renewRecoveryCodes({
				userId: user.id,
				password: input.currentPassword,
				address: event.getClientAddress()
			})
		}));
	},
	turnOffSecondFactor: async (event) => {
		const user = requireUser(event);
		const input = parseForm(await event.request.formData(), turnOffSecondFactorForm, { action: 'turnOffSecondFactor' });
		if (isRefused(input)) return input;
		return runAccountCommand('turnOffSecondFactor', async () => {
			await turnOffSecondFactor({
				userId: user.id,
				role: user.role,
				password: input.currentPassword,
				code: input.code,
				address: event.getClientAddress()
			});
			return { action: 'turnOffSecondFactor', saved: 'Two-step sign-in is off.' };
		});
	},
	createCalendarLink: async (event) => {
		const user = requireUser(event);
		const calendarLink = await createCalendarLink({ userId: user.id, origin: event.url.origin });
		return { action: 'calendar', calendarLink };
	},
	setCalendarNames: async (event) => {
		const user = requireUser(event);
		const input = parseForm(await event.request.formData(), calendarNamesForm, { action: 'calendar' });
		if (isRefused(input)) return input;
		if (!(await setCalendarNames({ userId: user.id, showGroupNames: input.showGroupNames }))) {
			return fail(400, {
				action: 'calendar',
				message: 'Make a calendar link first, then choose how it names sessions.'
			});
		}
		return { action: 'calendar', saved: 'Saved. Your calendar shows the change the next time it checks.' };
	},
	revokeCalendarLink: async (event) => {
		const user = requireUser(event);
		await revokeCalendarLink(user.id);
		return { action: 'calendar', saved: 'Your calendar link is turned off. Calendars that used it stop updating.' };
	},
	signOutEverywhere: async (event) => {
		const user = requireUser(event);
		await endAllSessions(event);
		await recordAudit({ action: 'auth.sign_out_everywhere', actorId: user.id, objectType: 'user', objectId: user.id });
		redirect(303, '/login');
	}
};
