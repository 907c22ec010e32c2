import { requireAdmin } from '$lib/server/auth/guards';
import { isRefused, parseForm, readTyped, runCommand } from '$lib/server/forms';
import { NotInGroupError } from '$lib/server/groups/errors';
import {
	DEFAULT_RETENTION_MONTHS,
	MAX_RETENTION_MONTHS,
	MIN_RETENTION_MONTHS,
	RetentionRuleError,
	describeRetention,
	formatDay,
	getRetentionMonths,
	liftLegalHold,
	listRetentionStandings,
	setLegalHold,
	setRetentionMonths
} from '$lib/server/retention';
import { liftHoldForm, retentionForm, setHoldForm } from '$lib/server/retention/forms';
import type { Actions, PageServerLoad } from './$types';

const errors = {
	shown: (e: unknown): e is Error => e instanceof RetentionRuleError,
	hidden: (e: unknown) => e instanceof NotInGroupError
};

export const load: PageServerLoad = async (event) => {
	await requireAdmin(event);
	const [months, groups] = await Promise.all([getRetentionMonths(), listRetentionStandings()]);
	const day = formatDay;
	return {
		months,
		keptFor: describeRetention(months),
		limits: { min: MIN_RETENTION_MONTHS, max: MAX_RETENTION_MONTHS, default: DEFAULT_RETENTION_MONTHS },
		groups: groups.map(({ groupId, name, timeZone, standing }) => ({
			groupId,
			name,
			state: standing.state,
			heldSince: standing.state === 'held' ? day(standing.since, timeZone) : null,
			holdReason: standing.state === 'held' ? standing.reason : null,
			endedOn: standing.state === 'scheduled' ? day(standing.endedAt, timeZone) : null,
			deletesOn: standing.state === 'scheduled' ? day(standing.deletesAt, timeZone) : null,
			deletedOn: standing.state === 'deleted' ? day(standing.on, timeZone) : null
		}))
	};
};

export const actions: Actions = {
	save: async (event) => {
		const admin = await requireAdmin(event);
		const form = await event.request.formData();
		const input = parseForm(form, retentionForm, { action: 'save', ...readTyped(form, 'months') });
		if (isRefused(input)) return input;
		return runCommand(
			'save',
			async () => {
				await setRetentionMonths({ actorId: admin.id, months: input.months });
				return {
					action: 'save',
					saved: `Saved. Ended groups’ records are now kept ${describeRetention(input.months)}.`
				};
			},
			errors
		);
	},
	hold: async (event) => {
		const admin = await requireAdmin(event);
		const form = await event.request.formData();
		const input = parseForm(form, setHoldForm, { action: 'hold', ...readTyped(form, 'groupId') });
		if (isRefused(input)) return input;
		return runCommand(
			'hold',
			async () => {
				await setLegalHold({ actorId: admin.id, groupId: input.groupId, reason: input.reason });
				return {
					action: 'hold',
					groupId: input.groupId,
					saved: 'The hold is set. Nothing of this group is deleted while it lasts.'
				};
			},
			errors
		);
	},
	lift: async (event) => {
		const admin = await requireAdmin(event);
		const form = await event.request.formData();
		const input = parseForm(form, liftHoldForm, { action: 'lift', ...readTyped(form, 'groupId') });
		if (isRefused(input)) return input;
		return runCommand(
			'lift',
			async () => {
				await liftLegalHold({ actorId: admin.id, groupId: input.groupId });
				return {
					action: 'lift',
					groupId: input.groupId,
					saved: 'The hold is lifted. The clock runs again from where it stopped.'
				};
			},
			errors
		);
	}
};
