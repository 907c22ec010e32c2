import { fail } from '@sveltejs/kit';
import { requireAdmin } from '$lib/server/auth/guards';
import { readText } from '$lib/server/auth/forms';
import { formatCrisisLines, getCrisisLines, parseCrisisLines, setCrisisLines } from '$lib/server/support/crisis-lines';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	await requireAdmin(event);
	return { text: formatCrisisLines(await getCrisisLines()) };
};

export const actions: Actions = {
	save: async (event) => {
		const admin = await requireAdmin(event);
		const text = readText(await event.request.formData(), 'lines');
		const lines = parseCrisisLines(text);
		if (typeof lines === 'string') return fail(400, { message: lines, text });
		await setCrisisLines({ actorId: admin.id, lines });
		return { saved: 'Saved. Everyone now sees these lines under Support.' };
	}
};
