import { fail } from '@sveltejs/kit';
import { codeForm } from '$lib/server/auth/forms';
import { PENDING_SIGN_IN_MINUTES, readPendingSignIn } from '$lib/server/auth/pending-sign-in';
import { describeEnrolment } from '$lib/server/auth/second-factor';
import { confirmEnrolment } from '$lib/server/auth/sign-in';
import { isRefused, parseForm } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const pending = await readPendingSignIn(event);
	// Not a redirect: after the last step this page still shows the recovery codes, once, from the action.
	if (pending?.step !== 'enrol' || !pending.secret) return { enrolment: null };
	return {
		enrolment: {
			...(await describeEnrolment(pending.userId, pending.secret)),
			required: pending.via !== 'account',
			minutes: PENDING_SIGN_IN_MINUTES
		}
	};
};

export const actions: Actions = {
	confirm: async (event) => {
		const input = parseForm(await event.request.formData(), codeForm);
		if (isRefused(input)) return input;
		const result = await confirmEnrolment(event, input.code);
		if (result.kind === 'refused') return fail(result.status, { message: result.message });
		if (result.kind !== 'enrolled') {
			return fail(400, { message: 'This step has timed out. Please start again.', expired: true });
		}
		return { recoveryCodes: result.recoveryCodes, next: result.next };
	}
};
