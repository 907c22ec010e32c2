// The account page's second-factor settings. Each change asks for the current password, checked under the
// sign-in limits (accounts.ts confirmPassword), so a session left open on a shared computer is not
// enough to read new recovery codes or to take the second factor away.
import { recordAudit } from '../audit';
import type { PracticeRole } from '../db/schema';
import { AccountError, confirmPassword } from './accounts';
import type { PasswordCheckOptions } from './login-limits';
import { disableSecondFactor, hasSecondFactor, replaceRecoveryCodes, requiresSecondFactor } from './second-factor';
import { checkSecondFactor } from './sign-in';

/** New recovery codes (the old ones stop working). Throws AccountError (safe to show). */
export async function renewRecoveryCodes(
	input: { userId: string; password: string; address: string },
	options: PasswordCheckOptions = {}
): Promise<string[]> {
	await confirmPassword({ ...input, via: 'second_factor' }, options);
	if (!(await hasSecondFactor(input.userId))) throw new AccountError('Two-step sign-in is not on for this account.');
	const codes = await replaceRecoveryCodes(input.userId);
	await recordAudit({
		action: 'auth.recovery_codes_replaced',
		actorId: input.userId,
		objectType: 'user',
		objectId: input.userId
	});
	return codes;
}

/**
 * Turns a member's second factor off, with their password and a current code. Admins and staff cannot: it
 * is required of them. Throws AccountError (safe to show).
 */
export async function turnOffSecondFactor(
	input: { userId: string; role: PracticeRole; password: string; code: string; address: string },
	options: PasswordCheckOptions = {}
): Promise<void> {
	if (requiresSecondFactor(input.role)) {
		throw new AccountError('Staff accounts keep two-step sign-in on: it protects the people in your groups.');
	}
	await confirmPassword(
		{ userId: input.userId, password: input.password, address: input.address, via: 'second_factor' },
		options
	);
	const refusal = await checkSecondFactor(
		input.userId,
		input.address,
		{ code: input.code, method: 'code' },
		'account',
		options
	);
	if (refusal) throw new AccountError(refusal.message);
	await disableSecondFactor(input.userId);
	await recordAudit({
		action: 'auth.second_factor_disabled',
		actorId: input.userId,
		objectType: 'user',
		objectId: input.userId
	});
}
