// Moderation requests from the board and the staff space. Thin: parse, authorise (in the moderation
// domain, which checks the person's standing in this group on every call), run one command, answer.
import { error, fail } from '@sveltejs/kit';
import { isId } from '$lib/board/document-names';
import { readText } from '$lib/server/auth/forms';
import { requireGroupMember } from '$lib/server/groups/access';
import { NotInGroupError } from '$lib/server/groups/errors';
import { ModerationError } from '$lib/server/moderation/errors';
import { flagPost, resolveFlag } from '$lib/server/moderation/flags';
import { hidePost, redactPost, restorePost } from '$lib/server/moderation/posts';
import { isModerationReason } from '$lib/server/moderation/reasons';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	await requireGroupMember(event, event.params.groupId);
	return {};
};

async function run(action: string, command: () => Promise<unknown>, done: string) {
	try {
		await command();
		return { action, done };
	} catch (e) {
		if (e instanceof ModerationError) return fail(400, { action, message: e.message });
		if (e instanceof NotInGroupError) error(404, 'Not found');
		throw e;
	}
}

async function readRequest(event: Parameters<Actions[string]>[0]) {
	const { user } = await requireGroupMember(event, event.params.groupId);
	const form = await event.request.formData();
	const postId = readText(form, 'postId');
	if (!isId(postId)) error(400, 'That post could not be found.');
	return { user, form, postId, groupId: event.params.groupId };
}

function readReason(form: FormData) {
	const reason = readText(form, 'reason');
	return isModerationReason(reason) ? reason : null;
}

export const actions: Actions = {
	flag: async (event) => {
		const { user, form, postId, groupId } = await readRequest(event);
		return run(
			'flag',
			() => flagPost({ groupId, userId: user.id, postId, reason: readText(form, 'note') }),
			'Thank you. The facilitators will look at it. They are not on the board around the clock — if someone may be in danger now, use Support.'
		);
	},
	hide: async (event) => {
		const { user, form, postId, groupId } = await readRequest(event);
		const reason = readReason(form);
		if (!reason) return fail(400, { action: 'hide', message: 'Choose a reason, so the author knows why.' });
		return run(
			'hide',
			() => hidePost({ groupId, actorId: user.id, postId, reason, note: readText(form, 'note') }),
			'Hidden. It is in the staff space, where you can restore it.'
		);
	},
	restore: async (event) => {
		const { user, postId, groupId } = await readRequest(event);
		return run('restore', () => restorePost({ groupId, actorId: user.id, postId }), 'Restored to the board.');
	},
	redact: async (event) => {
		const { user, form, postId, groupId } = await readRequest(event);
		const reason = readReason(form);
		if (!reason) return fail(400, { action: 'redact', message: 'Choose a reason for the record.' });
		return run(
			'redact',
			() => redactPost({ groupId, actorId: user.id, postId, reason, note: readText(form, 'note') }),
			'Removed for good. Only a note that a facilitator removed it remains.'
		);
	},
	resolve: async (event) => {
		const { user } = await requireGroupMember(event, event.params.groupId);
		const form = await event.request.formData();
		const flagId = readText(form, 'flagId');
		if (!isId(flagId)) error(400, 'That flag could not be found.');
		return run('resolve', () => resolveFlag({ groupId: event.params.groupId, actorId: user.id, flagId }), 'Marked as dealt with.');
	}
};
