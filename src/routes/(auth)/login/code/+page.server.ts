import { redirect } from '@sveltejs/kit';
import { readPendingSignIn } from '$lib/server/auth/pending-sign-in';
import { submitSecondFactor } from '$lib/server/auth/second-factor-form';
import { isRefused } from '$lib/server/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
	const pending = await readPendingSignIn(event);
	if (pending?.step !== 'code') redirect(303, '/login');
};

async function answer(event: RequestEvent, method: 'code' | 'recovery_code') {
	const result = await submitSecondFactor(event, method);
	if (isRefused(result)) return result;
	redirect(303, result.kind === 'signed-in' ? result.next : '/login');
}

export const actions = {
	code: (event) => answer(event, 'code'),
	recoveryCode: (event) => answer(event, 'recovery_code')
} satisfies Actions;
