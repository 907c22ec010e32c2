import { requireAdmin } from '$lib/server/auth/guards';
import { auditActions, isAuditAction, listAuditEvents } from '$lib/server/audit';
import { AUDIT_ACTION_LABELS, presentAuditEvents } from '$lib/server/audit/present';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 100;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const load: PageServerLoad = async (event) => {
	await requireAdmin(event);
	const params = event.url.searchParams;
	const action = params.get('action') ?? '';
	const from = params.get('from') ?? '';
	const to = params.get('to') ?? '';
	const groupId = params.get('group') ?? '';
	const actorId = params.get('actor') ?? '';
	const rows = await listAuditEvents({
		action: isAuditAction(action) ? action : undefined,
		groupId: groupId || undefined,
		actorId: actorId || undefined,
		from: DATE.test(from) ? new Date(`${from}T00:00:00Z`) : undefined,
		to: DATE.test(to) ? new Date(`${to}T23:59:59.999Z`) : undefined,
		beforeId: Number(params.get('before')) || undefined,
		limit: PAGE_SIZE
	});
	const events = await presentAuditEvents(rows);
	const filter = {
		action: isAuditAction(action) ? action : '',
		from: DATE.test(from) ? from : '',
		to: DATE.test(to) ? to : '',
		group: groupId,
		actor: actorId
	};
	const older = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
	if (rows.length === PAGE_SIZE) older.set('before', String(rows[rows.length - 1].id));
	return {
		filter,
		actions: auditActions.map((value) => ({ value, label: AUDIT_ACTION_LABELS[value] })),
		events,
		olderHref: rows.length === PAGE_SIZE ? `?${older}` : null
	};
};
