import * as v from 'valibot';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '$lib/password-rules';
import { requiredText } from '../forms';

export const DISPLAY_NAME_MAX_LENGTH = 60;
// RFC 5321's limit on a forward path.
const EMAIL_MAX_LENGTH = 254;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** How an email address is compared and stored: without surrounding spaces, in lower case. */
export function normaliseEmail(email: string): string {
	return email.trim().toLowerCase();
}

/** The one email rule, normalised: something@somewhere.tld, no spaces, at most 254 characters. */
export function emailAddress(message: string) {
	return v.pipe(
		v.string(message),
		v.transform(normaliseEmail),
		v.maxLength(EMAIL_MAX_LENGTH, message),
		v.regex(EMAIL_PATTERN, message)
	);
}

export const displayName = requiredText(
	DISPLAY_NAME_MAX_LENGTH,
	'Please enter the name you would like to go by.',
	`Please keep the name under ${DISPLAY_NAME_MAX_LENGTH} characters.`
);

const SHORT_PASSWORD = `Please choose a password of at least ${PASSWORD_MIN_LENGTH} characters — a short phrase works well.`;

/** A new password, taken exactly as typed (spaces count). */
export const newPassword = v.pipe(
	v.string(SHORT_PASSWORD),
	v.minLength(PASSWORD_MIN_LENGTH, SHORT_PASSWORD),
	v.maxLength(PASSWORD_MAX_LENGTH, `Please keep your password under ${PASSWORD_MAX_LENGTH} characters.`)
);

/** A new account's details, in the order a person reads the form. */
export const newAccountForm = v.object({
	email: emailAddress('Please enter a valid email address.'),
	displayName,
	password: newPassword
});

export const setupForm = v.object({
	...newAccountForm.entries,
	setupCode: v.string('Please enter the setup code from the console where Hearth was started.')
});

/** Sign-in's one answer to a wrong password and an unknown email alike. */
export const NO_MATCH = 'That email and password did not match. Please try again.';

/** Signing in checks nothing about the email's form: any mismatch gets the same answer (sign-in.ts). */
export const signInForm = v.object({
	email: v.string(NO_MATCH),
	password: v.string(NO_MATCH)
});

export const changePasswordForm = v.pipe(
	v.object({
		currentPassword: v.string('Please enter your current password.'),
		newPassword: v.string(SHORT_PASSWORD),
		confirmPassword: v.string('The two new passwords did not match.')
	}),
	v.check((input) => input.newPassword === input.confirmPassword, 'The two new passwords did not match.')
);

const MISSING_CODE = 'Please enter the 6-digit code from your authenticator app.';

/** A code from an authenticator app; whether it is right is second-factor.ts's to say. */
export const codeForm = v.object({ code: v.pipe(v.string(MISSING_CODE), v.trim(), v.nonEmpty(MISSING_CODE)) });

const MISSING_RECOVERY_CODE = 'Please enter one of your recovery codes.';

export const recoveryCodeForm = v.object({
	recoveryCode: v.pipe(v.string(MISSING_RECOVERY_CODE), v.trim(), v.nonEmpty(MISSING_RECOVERY_CODE))
});

const MISSING_PASSWORD = 'Please enter your current password.';

export const currentPasswordForm = v.object({
	currentPassword: v.pipe(v.string(MISSING_PASSWORD), v.nonEmpty(MISSING_PASSWORD))
});

/** Turning the second factor off asks for both: the password and a code from the app. */
export const turnOffSecondFactorForm = v.object({ ...currentPasswordForm.entries, ...codeForm.entries });

/** A new password chosen with a reset link (auth/password-reset.ts), typed twice. */
export const resetPasswordForm = v.pipe(
	v.object({
		newPassword: v.string(SHORT_PASSWORD),
		confirmPassword: v.string('The two new passwords did not match.')
	}),
	v.check((input) => input.newPassword === input.confirmPassword, 'The two new passwords did not match.')
);

/** The admin names the account to help back in by its email. */
export const accountEmailForm = v.object({ email: emailAddress('Please enter the email address of their account.') });
