import * as v from 'valibot';

const MISSING_PASSWORD = 'Please enter your password.';
const NOT_CONFIRMED = 'Please tick the box to say you understand this cannot be undone.';

/** Deleting an account asks for the password of whoever deletes it, and a tick that they understand. */
export const deleteAccountForm = v.object({
	password: v.pipe(v.string(MISSING_PASSWORD), v.nonEmpty(MISSING_PASSWORD)),
	understood: v.literal('yes', NOT_CONFIRMED)
});
