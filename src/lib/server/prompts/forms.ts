import * as v from 'valibot';
import { LIMITS } from '$lib/board/schema';
import { promptKinds } from '../db/schema';
import { choice, id, requiredText } from '../forms';
import { RELOAD } from '../groups/forms';

export const promptKind = choice(promptKinds, 'Please choose when this prompt is for.');
export const promptText = requiredText(
	LIMITS.promptChars,
	'Please write the prompt.',
	`Please keep a prompt under ${LIMITS.promptChars} characters.`
);

export const addPromptForm = v.object({ kind: promptKind, text: promptText });
export const updatePromptForm = v.object({ promptId: id(RELOAD), text: promptText });
export const removePromptForm = v.object({ promptId: id(RELOAD) });
