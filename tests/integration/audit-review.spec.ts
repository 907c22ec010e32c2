import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { recordAudit } from '$lib/server/audit';
import { exportAuditCsv, readAuditFilter } from '$lib/server/audit/review';
import { POST } from '../../src/routes/(app)/admin/audit/export/+server';
import { createRequestEvent } from '$test/request-events';
import { makeGroup, makeUser, readAudit } from './groups-fixtures';

describe("the admin's audit CSV", () => {
	it('holds what the filter selects, oldest first, with formulas disarmed, and is itself recorded', async () => {
		const admin = await makeUser('admin', 'Practice Admin');
		const sly = await makeUser('staff', '=HYPERLINK("http://evil.example","open")');
		const { group } = await makeGroup();
		await recordAudit({
			action: 'group.lifecycle_changed',
			actorId: sly.id,
			groupId: group.id,
			detail: { to: 'live' }
		});
		await recordAudit({ action: 'schedule.changed', actorId: sly.id, groupId: group.id });
		await recordAudit({ action: 'auth.sign_in', actorId: admin.id });

		const { query } = readAuditFilter(new URLSearchParams({ group: group.id, from: 'not a date', action: 'nonsense' }));
		expect(query).toMatchObject({ groupId: group.id, from: undefined, action: undefined });
		const { filename, body } = await exportAuditCsv(query, admin.id);
		expect(filename).toMatch(/^hearth-audit-\d{4}-\d{2}-\d{2}\.csv$/);

		const { data } = Papa.parse<Record<string, string>>(body, { header: true, skipEmptyLines: true });
		expect(data.map((row) => row.action)).toEqual([
			'group.created',
			'agreement.published',
			'group.lifecycle_changed',
			'schedule.changed'
		]);
		expect(data.every((row) => row.group_id === group.id && /^[0-9a-f]{64}$/.test(row.hash))).toBe(true);
		const byHer = data.filter((row) => row.actor_id === sly.id);
		expect(byHer.map((row) => row.actor)).toEqual([
			`'=HYPERLINK("http://evil.example","open")`,
			`'=HYPERLINK("http://evil.example","open")`
		]);
		expect(body).not.toMatch(/(^|,)=HYPERLINK/m);

		const recorded = (await readAudit()).filter((row) => row.action === 'audit.exported');
		expect(recorded).toEqual([expect.objectContaining({ actorId: admin.id, detail: { events: 4 } })]);
	});

	it('is refused to anyone but the admin, and records nothing then', async () => {
		const therapist = await makeUser('staff', 'A Therapist');
		const before = (await readAudit()).filter((row) => row.action === 'audit.exported').length;
		const event = createRequestEvent({
			path: '/admin/audit/export',
			locals: {
				user: { id: therapist.id, email: therapist.email, displayName: therapist.displayName, role: 'staff' },
				session: null
			} as unknown as App.Locals
		});
		const request = new Request('http://localhost/admin/audit/export', { method: 'POST', body: new FormData() });
		await expect(POST({ ...event, request } as never)).rejects.toMatchObject({ status: 404 });
		expect((await readAudit()).filter((row) => row.action === 'audit.exported')).toHaveLength(before);
	});
});
