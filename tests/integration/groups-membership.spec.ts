// Access and membership: who sees a group, mute, remove, leave, co-facilitators, and the audit rows.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { onAccessChange, type AccessChange } from '$lib/server/access-events';
import { connection } from '$lib/server/db';
import { getGroupAccess, getGroupAccesses, listFacilitatorIds } from '$lib/server/groups/access';
import {
	addFacilitator,
	leaveGroup,
	listAddableStaff,
	listMembers,
	removeMember,
	setMemberMuted
} from '$lib/server/groups/membership';
import { listGroupsForUser } from '$lib/server/groups/groups';
import { expectNoPersonalTextInAudit, joinGroup, makeGroup, makeUser, readAuditFor } from './groups-fixtures';

afterAll(() => connection.close());

const announced: AccessChange[] = [];
const stopListening = onAccessChange((change) => {
	announced.push(change);
});
afterAll(stopListening);
afterEach(() => {
	announced.length = 0;
});

describe('group access', () => {
	it('is null for strangers, invitees who never joined, other groups and made-up ids', async () => {
		const { group, facilitator } = await makeGroup();
		const other = await makeGroup();
		const stranger = await makeUser('member');
		const admin = await makeUser('admin');

		expect(await getGroupAccess(stranger.id, group.id)).toBeNull();
		expect(await getGroupAccess(admin.id, group.id)).toBeNull();
		expect(await getGroupAccess(other.facilitator.id, group.id)).toBeNull();
		expect(await getGroupAccess(facilitator.id, 'no-such-group')).toBeNull();
		expect(await getGroupAccess(facilitator.id, group.id)).toEqual({
			groupId: group.id,
			userId: facilitator.id,
			role: 'facilitator',
			lifecycle: 'forming',
			muted: false,
			canWrite: true,
			needsSignature: false
		});
	});

	it('is the same asked for many people and groups at once (a burst of sockets) as asked one by one', async () => {
		const { group, facilitator } = await makeGroup();
		const other = await makeGroup();
		const stranger = await makeUser('member');
		const keys = [
			{ userId: facilitator.id, groupId: group.id },
			{ userId: stranger.id, groupId: group.id },
			{ userId: other.facilitator.id, groupId: group.id },
			{ userId: other.facilitator.id, groupId: other.group.id },
			{ userId: facilitator.id, groupId: 'no-such-group' },
			{ userId: facilitator.id, groupId: group.id }
		];
		const together = await getGroupAccesses(keys);
		const oneByOne = await Promise.all(keys.map(({ userId, groupId }) => getGroupAccess(userId, groupId)));
		expect(together).toEqual(oneByOne);
		expect(together.map((access) => access?.userId ?? null)).toEqual([
			facilitator.id,
			null,
			null,
			other.facilitator.id,
			null,
			facilitator.id
		]);
	});

	it('lists the facilitators, co-facilitators included', async () => {
		const { group, facilitator } = await makeGroup();
		const provider = await makeUser('staff', 'Dr Provider');
		const member = await joinGroup(group.id, facilitator.id);

		expect((await listAddableStaff(group.id)).map((s) => s.id)).toContain(provider.id);
		await addFacilitator({ groupId: group.id, actorId: facilitator.id, userId: provider.id, kind: 'medical_provider' });

		expect((await listFacilitatorIds(group.id)).sort()).toEqual([facilitator.id, provider.id].sort());
		expect(await getGroupAccess(provider.id, group.id)).toMatchObject({ role: 'facilitator', canWrite: true });
		await expect(
			addFacilitator({ groupId: group.id, actorId: facilitator.id, userId: member.id, kind: 'therapist' })
		).rejects.toThrow(/staff/);
		expect((await listAddableStaff(group.id)).map((s) => s.id)).not.toContain(provider.id);
	});

	it('never offers or adds the practice admin as a co-facilitator (the admin sees no group’s content)', async () => {
		const { group, facilitator } = await makeGroup();
		const admin = await makeUser('admin', 'Practice Admin');
		expect((await listAddableStaff(group.id)).map((s) => s.id)).not.toContain(admin.id);
		await expect(
			addFacilitator({ groupId: group.id, actorId: facilitator.id, userId: admin.id, kind: 'therapist' })
		).rejects.toThrow(/staff/);
		expect(await getGroupAccess(admin.id, group.id)).toBeNull();
	});
});

describe('membership', () => {
	it('mutes a member to read-only and back, announcing each change', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);

		await setMemberMuted({ groupId: group.id, actorId: facilitator.id, userId: member.id, muted: true });
		expect(await getGroupAccess(member.id, group.id)).toMatchObject({ muted: true, canWrite: false });
		expect((await listMembers(group.id)).find((m) => m.userId === member.id)?.state).toBe('muted');

		await setMemberMuted({ groupId: group.id, actorId: facilitator.id, userId: member.id, muted: false });
		expect(await getGroupAccess(member.id, group.id)).toMatchObject({ muted: false, canWrite: true });
		expect(announced).toContainEqual({ kind: 'membership-changed', groupId: group.id, userId: member.id });
	});

	it('ends a removed member’s access at once and says so to the realtime server', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);

		await removeMember({ groupId: group.id, actorId: facilitator.id, userId: member.id });

		expect(await getGroupAccess(member.id, group.id)).toBeNull();
		expect(await listGroupsForUser(member.id)).toEqual([]);
		expect(announced).toContainEqual({ kind: 'membership-changed', groupId: group.id, userId: member.id });
		expect((await listMembers(group.id)).find((m) => m.userId === member.id)?.state).toBe('removed');
	});

	it('never acts on someone from another group, whatever ids the form carries', async () => {
		const { group, facilitator } = await makeGroup();
		const other = await makeGroup();
		const outsider = await joinGroup(other.group.id, other.facilitator.id);

		await expect(removeMember({ groupId: group.id, actorId: facilitator.id, userId: outsider.id })).rejects.toThrow(
			'Not found'
		);
		await expect(
			setMemberMuted({ groupId: group.id, actorId: facilitator.id, userId: outsider.id, muted: true })
		).rejects.toThrow('Not found');
		expect(await getGroupAccess(outsider.id, other.group.id)).toMatchObject({ muted: false });
	});

	it('lets a member leave, and keeps at least one facilitator', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);

		await leaveGroup({ groupId: group.id, userId: member.id });
		expect(await getGroupAccess(member.id, group.id)).toBeNull();
		await expect(leaveGroup({ groupId: group.id, userId: facilitator.id })).rejects.toThrow(/needs a facilitator/);
		expect(await getGroupAccess(facilitator.id, group.id)).not.toBeNull();
	});

	it('shows members their groups with the next session in the group’s time zone', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);

		const [listed] = await listGroupsForUser(member.id);

		expect(listed).toMatchObject({ id: group.id, role: 'member', lifecycle: 'forming', needsSignature: false });
		expect(listed.nextSession).toMatchObject({ label: 'Preparation 1', date: '2030-03-05', time: '18:30' });
		expect(listed.nextSession?.when).toBe('Tue, 5 Mar 2030, 18:30 CET');
	});

	it('writes membership events with ids only', async () => {
		const { group, facilitator } = await makeGroup();
		const muted = await joinGroup(group.id, facilitator.id);
		const removed = await joinGroup(group.id, facilitator.id);
		const leaver = await joinGroup(group.id, facilitator.id);
		const provider = await makeUser('staff', 'Dr Provider Secretname');

		await setMemberMuted({ groupId: group.id, actorId: facilitator.id, userId: muted.id, muted: true });
		await removeMember({ groupId: group.id, actorId: facilitator.id, userId: removed.id });
		await leaveGroup({ groupId: group.id, userId: leaver.id });
		await addFacilitator({ groupId: group.id, actorId: facilitator.id, userId: provider.id, kind: 'medical_provider' });

		const rows = (await readAuditFor(group.id)).filter(
			(r) => r.action.startsWith('member.') || r.action.startsWith('facilitator.')
		);
		expect(rows.map((r) => [r.action, r.actorId, r.objectId])).toEqual([
			['member.muted', facilitator.id, muted.id],
			['member.removed', facilitator.id, removed.id],
			['member.left', leaver.id, leaver.id],
			['facilitator.added', facilitator.id, provider.id]
		]);
		await expectNoPersonalTextInAudit(['Secretname']);
	});
});
