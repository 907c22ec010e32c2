import { requireAdmin } from '$lib/server/auth/guards';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import { crisisLinesForm } from '$lib/server/support/forms';
import { formatCrisisLines, getCrisisLines, setCrisisLines } from '$lib/server/support/crisis-lines';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	await requireAdmin(event);
	return { text: formatCrisisLines(await getCrisisLines()) };
};

export const actions: Actions = {
	save: async (event) => {
		const admin = await requireAdmin(event);
		const form = await event.request.formData();
		const input = parseForm(form, crisisLinesForm, { text: readTyped(form, 'lines').lines });
		if (isRefused(input)) return input;
		await setCrisisLines({ actorId: admin.id, lines: input.lines });
		return { saved: 'Saved. Everyone now sees these lines under Support.' };
	}
};
