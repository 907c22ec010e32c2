// The admin's review of the audit log: the filter the page and the CSV share, and the CSV itself.
import Papa from 'papaparse';
import { isAuditAction, listAuditEvents, recordAudit, type AuditFilter } from '.';
import type { AuditEvent } from '../db/schema';
import { presentAuditEvents } from './present';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PAGE = 500;
/** A CSV holds at most this many events; narrow the filter for more. */
export const CSV_MAX_EVENTS = 100_000;

/** The filter as typed (for the form) and as a query (for the log); anything malformed is left out. */
export function readAuditFilter(params: URLSearchParams) {
	const value = (name: string) => params.get(name) ?? '';
	const action = isAuditAction(value('action')) ? value('action') : '';
	const from = DATE.test(value('from')) ? value('from') : '';
	const to = DATE.test(value('to')) ? value('to') : '';
	const shown = { action, from, to, group: value('group'), actor: value('actor') };
	const query: AuditFilter = {
		action: isAuditAction(action) ? action : undefined,
		groupId: shown.group || undefined,
		actorId: shown.actor || undefined,
		from: from ? new Date(`${from}T00:00:00Z`) : undefined,
		to: to ? new Date(`${to}T23:59:59.999Z`) : undefined
	};
	return { shown, query };
}

/**
 * Every event the filter selects as CSV, oldest first, with names looked up for the reader and each
 * event's place in the hash chain. Cells that a spreadsheet would run as a formula are escaped. Audited.
 */
export async function exportAuditCsv(filter: AuditFilter, adminId: string) {
	const rows: AuditEvent[] = [];
	for (let beforeId: number | undefined; rows.length < CSV_MAX_EVENTS;) {
		const page = await listAuditEvents({ ...filter, beforeId, limit: PAGE });
		rows.push(...page);
		if (page.length < PAGE) break;
		beforeId = page[page.length - 1].id;
	}
	rows.reverse();
	const shown = await presentAuditEvents(rows);
	const body = Papa.unparse(
		rows.map((row, index) => ({
			time_utc: row.at.toISOString(),
			action: row.action,
			what: shown[index].actionLabel,
			actor_id: row.actorId ?? '',
			actor: shown[index].actor,
			object_type: row.objectType ?? '',
			object_id: row.objectId ?? '',
			object: shown[index].object,
			group_id: row.groupId ?? '',
			group: shown[index].group ?? '',
			detail: shown[index].detail,
			chain_position: row.chainSeq ?? '',
			hash: row.hash ?? ''
		})),
		{ escapeFormulae: true, newline: '\r\n' }
	);
	await recordAudit({ action: 'audit.exported', actorId: adminId, detail: { events: rows.length } });
	return { filename: `hearth-audit-${new Date().toISOString().slice(0, 10)}.csv`, body };
}
