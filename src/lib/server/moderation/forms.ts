import * as v from 'valibot';
import { LIMITS } from '$lib/board/schema';
import { choice, id, optionalText, wholeNumber } from '../forms';
import { memberForm } from '../groups/forms';
import { MAX_MUTE_HOURS } from './mutes';
import { MODERATION_REASONS, type ModerationReason } from '$lib/board/moderation-reasons';

/** A flag's reason or a facilitator's note to the author: optional words, within the board's limit. */
export const moderationNote = optionalText(
	LIMITS.reasonChars,
	`Please keep the reason under ${LIMITS.reasonChars} characters.`
);

const postId = id('That post could not be found.');
/** The board document the post is on: one of the group's archives, or '' for its board (checked by the command). */
const document = v.optional(
	v.pipe(v.string('That post could not be found.'), v.maxLength(80, 'That post could not be found.'))
);
const reasons = Object.keys(MODERATION_REASONS) as ModerationReason[];

export const postForm = v.object({ postId });
export const flagForm = v.object({ postId, document, note: moderationNote });
export const hideForm = v.object({
	postId,
	document,
	reason: choice(reasons, 'Choose a reason, so the author knows why.'),
	note: moderationNote
});
export const redactForm = v.object({
	postId,
	document,
	reason: choice(reasons, 'Choose a reason for the record.'),
	note: moderationNote
});
export const resolveForm = v.object({ flagId: id('That flag could not be found.') });

/** Muting a member: until unmuted (no hours chosen) or for some hours. */
export const muteForm = v.object({
	...memberForm.entries,
	hours: v.union(
		[
			v.pipe(
				v.literal(''),
				v.transform(() => null)
			),
			wholeNumber(1, MAX_MUTE_HOURS, 'Please choose how long to mute them.')
		],
		'Please choose how long to mute them.'
	)
});
