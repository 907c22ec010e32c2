// Refusals are audited (who, where, which id), at most once a minute per person and kind, and never in
// the refused group's own activity log.
import { isHttpError } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { requireAdmin } from '$lib/server/auth/guards';
import { requireFacilitator, requireGroupMember } from '$lib/server/groups/access';
import type { SessionUser } from '$lib/server/auth/sessions';
import { joinGroup, makeGroup, makeUser, readAudit, readAuditFor } from './groups-fixtures';

function eventFor(user: SessionUser, method = 'GET') {
	return {
		locals: { user, session: null } as unknown as App.Locals,
		url: new URL('http://hearth.test/groups/x'),
		request: new Request('http://hearth.test/groups/x', { method })
	};
}

async function refusedWith404(attempt: () => Promise<unknown>) {
	const error = await attempt().then(
		() => null,
		(e: unknown) => e
	);
	expect(isHttpError(error) && error.status).toBe(404);
}

const refusals = async () => (await readAudit()).filter((row) => row.action === 'access.refused');

describe('refusals', () => {
	it("are recorded once a minute per person and kind, with the target's id, outside that group's log", async () => {
		const { group } = await makeGroup();
		const outsider = (await makeUser('member')) as unknown as SessionUser;
		for (let i = 0; i < 5; i++) await refusedWith404(() => requireGroupMember(eventFor(outsider), group.id));
		await refusedWith404(() => requireGroupMember(eventFor(outsider, 'POST'), group.id));

		const rows = (await refusals()).filter((row) => row.actorId === outsider.id);
		expect(rows.map((row) => row.detail)).toEqual([
			{ where: 'page', target: group.id },
			{ where: 'action', target: group.id }
		]);
		expect((await readAuditFor(group.id)).some((row) => row.action === 'access.refused')).toBe(false);
	});

	it('cover a member calling a facilitator action and a member opening an admin page', async () => {
		const { group, facilitator } = await makeGroup();
		const member = (await joinGroup(group.id, facilitator.id)) as unknown as SessionUser;
		await refusedWith404(() => requireFacilitator(eventFor(member, 'POST'), group.id));
		await refusedWith404(() => requireAdmin(eventFor(member)));
		const rows = (await refusals()).filter((row) => row.actorId === member.id);
		expect(rows.map((row) => row.detail)).toEqual([
			{ where: 'action', target: group.id },
			{ where: 'page', target: null }
		]);
	});
});
