import { fail, type ActionFailure } from '@sveltejs/kit';
import { isRefused, parseForm } from '../forms';
import { codeForm, recoveryCodeForm } from './forms';
import { signInWithSecondFactor, type SecondFactorResult, type SignInEvent } from './sign-in';

type Method = 'code' | 'recovery_code';

/**
 * The `?/code` and `?/recoveryCode` actions of every page that asks for the second step (SecondFactorForms):
 * reads the form, finishes the pending sign-in, and answers a wrong code as a failure naming the form it
 * belongs to. What happens after success or an expired step is the page's to decide.
 */
export async function submitSecondFactor(
	event: SignInEvent & { request: Request },
	method: Method
): Promise<ActionFailure<{ method: Method; message: string }> | Exclude<SecondFactorResult, { kind: 'refused' }>> {
	const form = await event.request.formData();
	const input =
		method === 'code' ? parseForm(form, codeForm, { method }) : parseForm(form, recoveryCodeForm, { method });
	if (isRefused(input)) return input;
	const code = 'code' in input ? input.code : input.recoveryCode;
	const result = await signInWithSecondFactor(event, { code, method });
	if (result.kind === 'refused') return fail(result.status, { method, message: result.message });
	return result;
}
