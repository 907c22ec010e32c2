import { resolve } from '$app/paths';
import { requireAdmin } from '$lib/server/auth/guards';
import { auditActions, listAuditEvents } from '$lib/server/audit';
import { checkAuditChain } from '$lib/server/audit/chain';
import { AUDIT_ACTION_LABELS, presentAuditEvents } from '$lib/server/audit/present';
import { readAuditFilter } from '$lib/server/audit/review';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

const PAGE_SIZE = 100;

export const load: PageServerLoad = async (event) => {
	await requireAdmin(event);
	const { shown, query } = readAuditFilter(event.url.searchParams);
	const rows = await listAuditEvents({
		...query,
		beforeId: Number(event.url.searchParams.get('before')) || undefined,
		limit: PAGE_SIZE
	});
	const older = new URLSearchParams(Object.entries(shown).filter(([, v]) => v));
	if (rows.length === PAGE_SIZE) older.set('before', String(rows[rows.length - 1].id));
	return {
		filter: shown,
		actions: auditActions.map((value) => ({ value, label: AUDIT_ACTION_LABELS[value] })),
		events: await presentAuditEvents(rows),
		olderHref: rows.length === PAGE_SIZE ? resolve(`/admin/audit?${older}`) : null
	};
};

export const actions: Actions = {
	/** Recomputes the whole hash chain; changes nothing. */
	checkChain: async (event) => {
		await requireAdmin(event);
		return { chain: await checkAuditChain(db) };
	}
};
