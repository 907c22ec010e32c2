import { isRefused, parseForm } from '$lib/server/forms';
import { addPromptForm, removePromptForm, updatePromptForm } from '$lib/server/prompts/forms';
import { requireFacilitator } from '$lib/server/groups/access';
import { runGroupCommand } from '$lib/server/groups/route-actions';
import { PROMPT_KIND_LABELS, addPrompt, listPrompts, removePrompt, updatePrompt } from '$lib/server/prompts';
import { promptKinds } from '$lib/server/db/schema';
import type { Actions, PageServerLoad } from './$types';

// Facilitators only: members get the same 404 as for a page that does not exist.
export const load: PageServerLoad = async (event) => {
	const { access } = await requireFacilitator(event, event.params.groupId);
	const prompts = await listPrompts(access.groupId);
	return {
		kinds: promptKinds.map((kind) => ({
			kind,
			label: PROMPT_KIND_LABELS[kind],
			prompts: prompts.filter((prompt) => prompt.kind === kind).map(({ id, text }) => ({ id, text }))
		})),
		canEdit: access.lifecycle !== 'archived'
	};
};

export const actions: Actions = {
	addPrompt: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), addPromptForm, { action: 'addPrompt' });
		if (isRefused(input)) return input;
		return runGroupCommand('addPrompt', async () => {
			await addPrompt({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'addPrompt', saved: 'Prompt added.' };
		});
	},
	updatePrompt: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), updatePromptForm, { action: 'updatePrompt' });
		if (isRefused(input)) return input;
		return runGroupCommand('updatePrompt', async () => {
			await updatePrompt({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'updatePrompt', saved: 'Prompt saved.' };
		});
	},
	removePrompt: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const input = parseForm(await event.request.formData(), removePromptForm, { action: 'removePrompt' });
		if (isRefused(input)) return input;
		return runGroupCommand('removePrompt', async () => {
			await removePrompt({ ...input, groupId: access.groupId, actorId: user.id });
			return { action: 'removePrompt', saved: 'Prompt removed.' };
		});
	}
};
