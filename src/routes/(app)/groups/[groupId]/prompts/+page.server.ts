import { readText } from '$lib/server/auth/forms';
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
		const form = await event.request.formData();
		return runGroupCommand('addPrompt', async () => {
			await addPrompt({ groupId: access.groupId, actorId: user.id, kind: readText(form, 'kind'), text: readText(form, 'text') });
			return { action: 'addPrompt', saved: 'Prompt added.' };
		});
	},
	updatePrompt: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const form = await event.request.formData();
		return runGroupCommand('updatePrompt', async () => {
			await updatePrompt({ groupId: access.groupId, actorId: user.id, promptId: readText(form, 'promptId'), text: readText(form, 'text') });
			return { action: 'updatePrompt', saved: 'Prompt saved.' };
		});
	},
	removePrompt: async (event) => {
		const { user, access } = await requireFacilitator(event, event.params.groupId);
		const form = await event.request.formData();
		return runGroupCommand('removePrompt', async () => {
			await removePrompt({ groupId: access.groupId, actorId: user.id, promptId: readText(form, 'promptId') });
			return { action: 'removePrompt', saved: 'Prompt removed.' };
		});
	}
};
