import { error, fail } from '@sveltejs/kit';
import { requireUser } from '$lib/server/auth/guards';
import { isRefused, parseForm, readTyped } from '$lib/server/forms';
import { listGroupsForUser } from '$lib/server/groups/groups';
import { NotInGroupError } from '$lib/server/groups/errors';
import { ModerationError } from '$lib/server/moderation/errors';
import { getCrisisLines, telephoneOf } from '$lib/server/support/crisis-lines';
import { sendUrgentMessage } from '$lib/server/support/urgent';
import { urgentMessageForm } from '$lib/server/support/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const [lines, groups] = await Promise.all([getCrisisLines(), listGroupsForUser(user.id)]);
	return {
		lines: lines.map((line) => ({ ...line, tel: telephoneOf(line.how) })),
		// Members write to their facilitators, also while a new agreement waits for their signature (a crisis
		// does not wait); a facilitator's own support is their practice's.
		groups: groups
			.filter((g) => g.role === 'member' && g.lifecycle !== 'archived')
			.map((g) => ({ id: g.id, name: g.name }))
	};
};

export const actions: Actions = {
	urgent: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		const { body } = readTyped(form, 'body');
		const input = parseForm(form, urgentMessageForm, { body });
		if (isRefused(input)) return input;
		let emailing: boolean;
		try {
			({ emailing } = await sendUrgentMessage({ ...input, userId: user.id }));
		} catch (e) {
			if (e instanceof ModerationError) return fail(400, { message: e.message, body });
			if (e instanceof NotInGroupError) error(404, 'Not found');
			throw e;
		}
		// Only what is already true: the alert is in Hearth; an email is at most on its way.
		return {
			sent: `Sent. Your facilitators have been alerted in Hearth.${emailing ? ' Email alerts are on the way.' : ''} They will reply in your “Facilitators” space.`
		};
	}
};
