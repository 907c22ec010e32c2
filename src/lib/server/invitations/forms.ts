import * as v from 'valibot';
import { emailAddress } from '../auth/forms';
import { id, optionalText } from '../forms';
import { RELOAD } from '../groups/forms';

export const NOTE_MAX_LENGTH = 280;
const EMAIL_PROBLEM = 'Please check the email address, or leave it empty to copy the link yourself.';

/** Whom an invitation is for: an email address to send it to (optional) and a note for the facilitators. */
export const invitationForm = v.object({
	email: v.pipe(
		v.string(EMAIL_PROBLEM),
		v.trim(),
		v.transform((email) => email || null),
		v.nullable(emailAddress(EMAIL_PROBLEM))
	),
	note: v.pipe(
		optionalText(NOTE_MAX_LENGTH, `Please keep the note under ${NOTE_MAX_LENGTH} characters.`),
		v.transform((note) => note || null)
	)
});

export const invitationIdForm = v.object({ invitationId: id(RELOAD) });
