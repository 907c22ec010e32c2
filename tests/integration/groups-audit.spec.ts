// Reading and writing the audit log: filters, and sign-in events that carry no address.
import { afterAll, describe, expect, it } from 'vitest';
import { connection } from '$lib/server/db';
import { listAuditEvents, recordAudit } from '$lib/server/audit';
import { presentAuditEvents } from '$lib/server/audit/present';
import { getLoginKeys } from '$lib/server/auth/login-limits';
import { signIn } from '$lib/server/auth/sign-in';
import { joinGroup, makeGroup, readAudit } from './groups-fixtures';
import { createRequestEvent } from '$test/request-events';

afterAll(() => connection.close());

describe('the audit log', () => {
	it('records a failed sign-in under the keyed account key, never the email or the address typed', async () => {
		const event = createRequestEvent({ address: '203.0.113.9' });
		await signIn(event, { email: ' Someone.Private@Example.ORG ', password: 'not my password', via: 'login' });

		const [row] = (await readAudit()).filter((r) => r.action === 'auth.sign_in_failed');
		expect(row.actorId).toBeNull();
		expect(row.detail).toEqual({
			account_key: getLoginKeys('someone.private@example.org', '203.0.113.9').account,
			via: 'login',
			refused: false
		});
		expect(JSON.stringify(row).toLowerCase()).not.toContain('someone.private');
		expect(JSON.stringify(row)).not.toContain('203.0.113.9');
	});

	it('filters by group and action, so facilitators read only their group', async () => {
		const first = await makeGroup();
		const second = await makeGroup();
		await joinGroup(first.group.id, first.facilitator.id);
		await recordAudit({ action: 'auth.sign_in', actorId: first.facilitator.id });

		const mine = await listAuditEvents({ groupId: first.group.id });
		expect(mine.length).toBeGreaterThan(0);
		expect(mine.every((r) => r.groupId === first.group.id)).toBe(true);
		expect(mine.map((r) => r.action)).toContain('invitation.accepted');
		expect(await listAuditEvents({ groupId: second.group.id, action: 'invitation.accepted' })).toEqual([]);
		const ids = mine.map((r) => r.id);
		expect(ids).toEqual([...ids].sort((a, b) => b - a));
	});

	it('resolves names only when read, for the reader', async () => {
		const { group, facilitator } = await makeGroup();
		const [created] = await listAuditEvents({ groupId: group.id, action: 'group.created' });

		const [shown] = await presentAuditEvents([created]);

		expect(shown).toMatchObject({ actionLabel: 'Group created', actor: facilitator.displayName, group: group.name });
		expect(JSON.stringify(created)).not.toContain(facilitator.displayName);
	});
});
