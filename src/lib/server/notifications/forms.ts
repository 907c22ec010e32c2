// The notification forms' fields: which notification to mark read, and how to be emailed.
import * as v from 'valibot';
import { choice, id } from '../forms';
import { emailChoices } from '../db/schema';
import { isValidTimeZone } from '../schedule/zoned-time';

export const markReadForm = v.object({
	notificationId: id('That notification is no longer here. Please reload the page.')
});

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" → minutes after midnight; "" → null. */
function clockTime(message: string) {
	return v.pipe(
		v.string(message),
		v.trim(),
		v.check((value: string) => value === '' || TIME.test(value), message),
		v.transform((value: string) => (value === '' ? null : Number(value.slice(0, 2)) * 60 + Number(value.slice(3))))
	);
}

export const emailSettingsForm = v.pipe(
	v.object({
		email: choice(emailChoices, 'Please choose how often Hearth may email you.'),
		timeZone: v.pipe(
			v.string('Please choose your time zone.'),
			v.check(isValidTimeZone, 'Please choose your time zone.')
		),
		quietStart: clockTime('Please give the start of your quiet hours as a time, like 22:00.'),
		quietEnd: clockTime('Please give the end of your quiet hours as a time, like 07:00.')
	}),
	v.check(
		(input) => (input.quietStart === null) === (input.quietEnd === null),
		'Please give both the start and the end of your quiet hours, or neither.'
	)
);
