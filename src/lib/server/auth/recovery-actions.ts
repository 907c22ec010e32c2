// What the pages that help someone back in (the admin's staff page, a group's members page) say.
import { runCommand } from '../forms';
import { RecoveryRefusal } from './account-recovery';
import {
	issuePasswordReset,
	PASSWORD_RESET_MINUTES,
	type IssuedPasswordReset,
	type PasswordResetIssuer
} from './password-reset';

/**
 * Runs a recovery command for a form action: a refusal the person may know about becomes a 400 with its
 * message; an account they may not see becomes the same 404 as an id that does not exist.
 */
export function runRecoveryCommand<T>(action: string, command: () => Promise<T>) {
	return runCommand(action, command, {
		shown: (e) => e instanceof RecoveryRefusal,
		hidden: (e) => e instanceof RecoveryRefusal && e.reason === 'not-found'
	});
}

function describeResetDelivery(issued: Pick<IssuedPasswordReset, 'mail'>): string {
	const works = `It works once, for ${PASSWORD_RESET_MINUTES} minutes; any earlier link stops working.`;
	if (issued.mail === 'sent') return `Reset link emailed to them. ${works} You can also copy it below.`;
	if (issued.mail === 'failed')
		return `The email could not be sent. Copy the link below and give it to them privately. ${works}`;
	return `Copy the link below and give it to them privately. ${works}`;
}

/** The `resetLink` action of a page: the link to show once, and how it reached (or did not reach) them. */
export function makeResetLink(input: { issuer: PasswordResetIssuer; userId: string; origin: string }) {
	return runRecoveryCommand('resetLink', async () => {
		const issued = await issuePasswordReset(input);
		return {
			action: 'resetLink' as const,
			link: issued.link,
			forName: issued.displayName,
			saved: describeResetDelivery(issued)
		};
	});
}
