import * as v from 'valibot';
import { id, requiredText, wholeNumber } from '../forms';
import { MAX_RETENTION_MONTHS, MIN_RETENTION_MONTHS } from './policy';

export const retentionForm = v.object({
	months: wholeNumber(
		MIN_RETENTION_MONTHS,
		MAX_RETENTION_MONTHS,
		`Choose a whole number of months from ${MIN_RETENTION_MONTHS} to ${MAX_RETENTION_MONTHS} (30 years).`
	)
});

/** Long enough for a case or request reference; the reason is shown to the admin only. */
export const HOLD_REASON_MAX = 300;

export const setHoldForm = v.object({
	groupId: id('Choose the group to hold.'),
	reason: requiredText(
		HOLD_REASON_MAX,
		'Say why the records must be kept (for example, the records request it answers).',
		`Keep the reason to ${HOLD_REASON_MAX} characters.`
	)
});

export const liftHoldForm = v.object({
	groupId: id('Choose the group whose hold to lift.')
});
