import * as v from 'valibot';
import { choice, id } from '../forms';

/** How long one emergency opening lasts. Fixed, so nobody has to choose under pressure; it can be ended early. */
export const EMERGENCY_ACCESS_MINUTES = 60;

/** A reason long enough to say what the risk is, short enough to read at a glance. */
export const REASON_MIN_LENGTH = 20;
export const REASON_MAX_LENGTH = 500;

const NO_REASON = 'Please write why you need to open this board now.';
const SHORT_REASON = `Please say a little more about the risk: at least ${REASON_MIN_LENGTH} characters.`;
const LONG_REASON = `Please keep the reason to ${REASON_MAX_LENGTH} characters.`;
const NO_PASSWORD = 'Please enter your password to confirm.';
const NO_GROUP = 'Please choose a group.';

/** The reason the lead types: trimmed, then required, at least REASON_MIN_LENGTH, at most REASON_MAX_LENGTH. */
export const emergencyReason = v.pipe(
	v.string(NO_REASON),
	v.trim(),
	v.nonEmpty(NO_REASON),
	v.minLength(REASON_MIN_LENGTH, SHORT_REASON),
	v.maxLength(REASON_MAX_LENGTH, LONG_REASON)
);

export const startEmergencyAccessForm = v.object({
	groupId: id(NO_GROUP),
	reason: emergencyReason,
	password: v.pipe(v.string(NO_PASSWORD), v.nonEmpty(NO_PASSWORD))
});

export const endEmergencyAccessForm = v.object({
	grantId: id('That emergency access is no longer open.')
});

export const clinicalLeadForm = v.object({
	userId: id('Please choose a staff account.'),
	lead: choice(['yes', 'no'], 'Please choose whether they are a clinical lead.')
});
