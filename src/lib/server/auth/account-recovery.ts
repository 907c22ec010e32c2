// Helping someone back into their account (password reset links are in password-reset.ts).
//
// The admin's way back in for someone who lost both their phone and their recovery codes: the second factor
// is taken off the account, with the reason on record (audit `auth.second_factor_reset`) and every session
// and pending sign-in of that account ended. An admin or staff account then sets up a new one at its next
// sign-in before any session starts (sign-in.ts completeSignIn); a member's is simply off until they turn it
// on again.
import { eq, inArray } from 'drizzle-orm';
import { db } from '../db';
import { pendingSignIn, secondFactor, user, type PracticeRole } from '../db/schema';
import { recordAudit } from '../audit';
import { disableSecondFactor, hasSecondFactor } from './second-factor';
import { invalidateUserSessions } from './sessions';
import { normaliseEmail } from './forms';

export const NOT_FOUND = 'That account could not be found. Please reload the page and try again.';

/** Why someone may not help with this account; `message` is for them. */
export class RecoveryRefusal extends Error {
	/** `not-found`: answered like an account that does not exist (a 404 for routes that name an id). */
	constructor(
		readonly reason: 'not-found' | 'not-allowed',
		message: string
	) {
		super(message);
	}
}

/** The id of the account with this email, for the admin's "someone else" form. */
export async function findAccountIdByEmail(email: string): Promise<string | null> {
	const [row] = await db
		.select({ id: user.id })
		.from(user)
		.where(eq(user.email, normaliseEmail(email)));
	return row?.id ?? null;
}

/** Which of these accounts have two-step sign-in on. */
export async function listSecondFactorHolders(userIds: string[]): Promise<Set<string>> {
	if (userIds.length === 0) return new Set();
	const rows = await db
		.select({ userId: secondFactor.userId })
		.from(secondFactor)
		.where(inArray(secondFactor.userId, userIds));
	return new Set(rows.map((row) => row.userId));
}

/**
 * Takes the second factor off another account (admins only, never their own). Throws RecoveryRefusal
 * (`not-found` for anyone but an admin, as for an account that does not exist).
 */
export async function resetSecondFactor(input: {
	actorId: string;
	actorRole: PracticeRole;
	userId: string;
}): Promise<{ hadSecondFactor: boolean }> {
	const [target] = await db.select({ id: user.id }).from(user).where(eq(user.id, input.userId));
	if (input.actorRole !== 'admin' || !target) {
		throw new RecoveryRefusal('not-found', NOT_FOUND);
	}
	if (target.id === input.actorId) {
		throw new RecoveryRefusal(
			'not-allowed',
			'You cannot reset your own two-step sign-in. Another admin can, or use one of your recovery codes.'
		);
	}
	const hadSecondFactor = await hasSecondFactor(target.id);
	await disableSecondFactor(target.id);
	await db.delete(pendingSignIn).where(eq(pendingSignIn.userId, target.id));
	await recordAudit({
		action: 'auth.second_factor_reset',
		actorId: input.actorId,
		objectType: 'user',
		objectId: target.id,
		detail: { had_second_factor: hadSecondFactor }
	});
	await invalidateUserSessions(target.id);
	return { hadSecondFactor };
}
