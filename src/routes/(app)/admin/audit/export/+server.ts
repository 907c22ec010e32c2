import { requireAdmin } from '$lib/server/auth/guards';
import { exportAuditCsv, readAuditFilter } from '$lib/server/audit/review';
import type { RequestHandler } from './$types';

// A POST: an export is recorded in the log, and reading the log must change nothing.
export const POST: RequestHandler = async (event) => {
	const admin = await requireAdmin(event);
	const form = await event.request.formData();
	const params = new URLSearchParams();
	for (const name of ['action', 'from', 'to', 'group', 'actor']) {
		const value = form.get(name);
		if (typeof value === 'string') params.set(name, value);
	}
	const { filename, body } = await exportAuditCsv(readAuditFilter(params).query, admin.id);
	return new Response(body, {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="${filename}"`,
			'Cache-Control': 'no-store'
		}
	});
};
