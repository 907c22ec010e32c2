// Moderation requests from the board and the staff space. Thin: parse, authorise (in the moderation
// domain, which checks the person's standing in this group on every call), run one command, answer.
import { error, fail } from '@sveltejs/kit';
import { isRefused, parseForm } from '$lib/server/forms';
import { requireGroupMember } from '$lib/server/groups/access';
import { NotInGroupError } from '$lib/server/groups/errors';
import { ModerationError } from '$lib/server/moderation/errors';
import { flagPost, resolveFlag } from '$lib/server/moderation/flags';
import { hidePost, redactPost, restorePost } from '$lib/server/moderation/posts';
import { flagForm, hideForm, postForm, redactForm, resolveForm } from '$lib/server/moderation/forms';
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

/** Reads the request after checking the person belongs to the group; the command checks their role. */
async function readRequest<S extends Parameters<typeof parseForm>[1]>(
	event: Parameters<Actions[string]>[0],
	action: string,
	schema: S
) {
	const { user } = await requireGroupMember(event, event.params.groupId);
	const input = parseForm(await event.request.formData(), schema, { action });
	return { user, input, groupId: event.params.groupId };
}

export const actions: Actions = {
	flag: async (event) => {
		const { user, input, groupId } = await readRequest(event, 'flag', flagForm);
		if (isRefused(input)) return input;
		return run(
			'flag',
			() => flagPost({ groupId, userId: user.id, postId: input.postId, document: input.document, reason: input.note }),
			'Thank you. The facilitators will look at it. They are not on the board around the clock — if someone may be in danger now, use Support.'
		);
	},
	hide: async (event) => {
		const { user, input, groupId } = await readRequest(event, 'hide', hideForm);
		if (isRefused(input)) return input;
		return run(
			'hide',
			() => hidePost({ ...input, groupId, actorId: user.id }),
			'Hidden. It is in the staff space, where you can restore it.'
		);
	},
	restore: async (event) => {
		const { user, input, groupId } = await readRequest(event, 'restore', postForm);
		if (isRefused(input)) return input;
		return run('restore', () => restorePost({ ...input, groupId, actorId: user.id }), 'Restored to the board.');
	},
	redact: async (event) => {
		const { user, input, groupId } = await readRequest(event, 'redact', redactForm);
		if (isRefused(input)) return input;
		return run(
			'redact',
			() => redactPost({ ...input, groupId, actorId: user.id }),
			'Removed for good. Only a note that a facilitator removed it remains.'
		);
	},
	resolve: async (event) => {
		const { user, input, groupId } = await readRequest(event, 'resolve', resolveForm);
		if (isRefused(input)) return input;
		return run('resolve', () => resolveFlag({ ...input, groupId, actorId: user.id }), 'Marked as dealt with.');
	}
};
