import * as v from 'valibot';
import { facilitatorKinds, groupLifecycles } from '../db/schema';
import { checkbox, choice, id, optionalText, requiredText, ticked, wholeNumber } from '../forms';
import { isValidTimeZone } from '../schedule/zoned-time';

export const GROUP_NAME_MAX_LENGTH = 80;
export const GROUP_DESCRIPTION_MAX_LENGTH = 500;
export const MAX_CAPACITY = 20;
export const AGREEMENT_MAX_LENGTH = 20_000;
export const TYPED_NAME_MAX_LENGTH = 100;

/** What a group command says about an id that is not one of Hearth's: the page is out of date. */
export const RELOAD = 'That could not be found. Please reload the page and try again.';

const AGREEMENT_TOO_LONG = `Please keep the agreement under ${AGREEMENT_MAX_LENGTH} characters.`;
export const agreementBody = requiredText(AGREEMENT_MAX_LENGTH, 'Please write the agreement text.', AGREEMENT_TOO_LONG);

export const typedName = requiredText(
	TYPED_NAME_MAX_LENGTH,
	'Please type your name to sign.',
	`Please keep your typed name under ${TYPED_NAME_MAX_LENGTH} characters.`
);

/** A new group's own details, as createGroup checks them. */
export const newGroupDetails = v.object({
	name: requiredText(
		GROUP_NAME_MAX_LENGTH,
		'Please give the group a name.',
		`Please keep the name under ${GROUP_NAME_MAX_LENGTH} characters.`
	),
	description: optionalText(
		GROUP_DESCRIPTION_MAX_LENGTH,
		`Please keep the description under ${GROUP_DESCRIPTION_MAX_LENGTH} characters.`
	),
	capacity: wholeNumber(1, MAX_CAPACITY, `Please choose a capacity between 1 and ${MAX_CAPACITY} members.`),
	timeZone: v.pipe(
		v.string('Please choose the time zone the group meets in.'),
		v.check(isValidTimeZone, 'Please choose the time zone the group meets in.')
	),
	creatorKind: choice(facilitatorKinds, 'Please say whether you are the therapist or the medical provider.')
});

/** The program's dates are checked in the group's time zone when it is planned (schedule/program.ts). */
export const newGroupForm = v.object({
	...newGroupDetails.entries,
	agreementBody,
	standardProgram: checkbox('Please say whether to plan the standard program.'),
	firstDate: v.string('Please give the first session a date and a time.'),
	time: v.string('Please give the first session a date and a time.'),
	intervalDays: v.string('Please choose between 1 and 60 days between sessions.')
});

export const lifecycleForm = v.object({
	to: choice(groupLifecycles, 'The group has already moved on. Please reload the page to see where it stands.'),
	alumniAgreementBody: optionalText(AGREEMENT_MAX_LENGTH, AGREEMENT_TOO_LONG)
});

/** Signing an agreement, from the group's agreement page or an invitation. */
export const signatureForm = v.object({
	consent: ticked('Please tick the box to confirm you agree.'),
	typedName,
	version: wholeNumber(1, Number.MAX_SAFE_INTEGER, 'Please reload the page and read the agreement again.')
});

export const publishAgreementForm = v.object({ body: agreementBody });

export const memberForm = v.object({ userId: id(RELOAD) });

export const addFacilitatorForm = v.object({
	kind: choice(facilitatorKinds, 'Please choose therapist or medical provider.'),
	userId: id('Please choose someone from your practice’s staff.')
});
