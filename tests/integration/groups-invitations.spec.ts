// Invitations: single use, expiry, revocation, tampering and a race between two accepts.
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { connection, db } from '$lib/server/db';
import { groupMember, invitation } from '$lib/server/db/schema';
import { getGroupAccess } from '$lib/server/groups/access';
import {
	acceptInvitation,
	createInvitation,
	hashInvitationToken,
	InvitationError,
	listInvitations,
	lookUpInvitation,
	reissueInvitation,
	revokeInvitation
} from '$lib/server/invitations';
import {
	ORIGIN,
	expectNoPersonalTextInAudit,
	makeGroup,
	makeUser,
	personal,
	readAuditFor,
	tokenOf
} from './groups-fixtures';

afterAll(() => connection.close());

async function invite(groupId: string, actorId: string, extra: { lifetimeMs?: number } = {}) {
	const created = await createInvitation({
		groupId,
		actorId,
		email: personal.email,
		note: personal.note,
		origin: ORIGIN,
		...extra
	});
	return { ...created, token: tokenOf(created.link) };
}

async function accept(token: string, userId: string, version = 1) {
	return acceptInvitation({ token, userId, typedName: personal.typedName, agreementVersion: version });
}

async function reasonOf(promise: Promise<unknown>) {
	const outcome = await promise.then(
		() => 'accepted',
		(e) => (e instanceof InvitationError ? e.reason : `unexpected: ${e}`)
	);
	return outcome;
}

async function countMemberships(groupId: string) {
	return db.$count(groupMember, and(eq(groupMember.groupId, groupId), eq(groupMember.role, 'member')));
}

describe('an invitation', () => {
	it('stores only a hash of its token and links to /invite/<token>', async () => {
		const { group, facilitator } = await makeGroup();
		const created = await invite(group.id, facilitator.id);

		expect(created.link).toBe(`${ORIGIN}/invite/${created.token}`);
		const [row] = await db.select().from(invitation).where(eq(invitation.id, created.id));
		expect(row.tokenHash).toBe(hashInvitationToken(created.token));
		expect(JSON.stringify(row)).not.toContain(created.token);
		expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeCloseTo(7 * 24 * 3600 * 1000, -4);
	});

	it('makes the invitee a member who has signed, then cannot be used again', async () => {
		const { group, facilitator } = await makeGroup();
		const { token } = await invite(group.id, facilitator.id);
		const first = await makeUser('member');
		const second = await makeUser('member');

		expect(await getGroupAccess(first.id, group.id)).toBeNull();
		expect(await accept(token, first.id)).toEqual({ groupId: group.id });
		expect(await getGroupAccess(first.id, group.id)).toMatchObject({ role: 'member', canWrite: true });

		expect(await reasonOf(accept(token, second.id))).toBe('used');
		expect(await getGroupAccess(second.id, group.id)).toBeNull();
		expect(await lookUpInvitation(token)).toEqual({ state: 'used' });
	});

	it('refuses an expired link and changes nothing', async () => {
		const { group, facilitator } = await makeGroup();
		const { token, id } = await invite(group.id, facilitator.id, { lifetimeMs: 1 });
		await new Promise((resolve) => setTimeout(resolve, 20));
		const invitee = await makeUser('member');

		expect(await lookUpInvitation(token)).toEqual({ state: 'expired' });
		expect(await reasonOf(accept(token, invitee.id))).toBe('expired');
		const [row] = await db.select().from(invitation).where(eq(invitation.id, id));
		expect(row.usedAt).toBeNull();
		expect(await countMemberships(group.id)).toBe(0);
	});

	it('stops working the moment it is revoked, and only its own group can revoke it', async () => {
		const { group, facilitator } = await makeGroup();
		const other = await makeGroup();
		const { token, id } = await invite(group.id, facilitator.id);

		await expect(
			revokeInvitation({ groupId: other.group.id, actorId: other.facilitator.id, invitationId: id })
		).rejects.toThrow('Not found');
		expect((await lookUpInvitation(token)).state).toBe('open');

		await revokeInvitation({ groupId: group.id, actorId: facilitator.id, invitationId: id });
		expect(await lookUpInvitation(token)).toEqual({ state: 'revoked' });
		expect(await reasonOf(accept(token, (await makeUser('member')).id))).toBe('revoked');
		expect(await countMemberships(group.id)).toBe(0);
	});

	it('answers a tampered or made-up token as invalid', async () => {
		const { group, facilitator } = await makeGroup();
		const { token } = await invite(group.id, facilitator.id);
		const tampered = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
		const invitee = await makeUser('member');

		expect(await lookUpInvitation(tampered)).toEqual({ state: 'invalid' });
		expect(await lookUpInvitation('../../etc/passwd')).toEqual({ state: 'invalid' });
		expect(await reasonOf(accept(tampered, invitee.id))).toBe('invalid');
		expect((await lookUpInvitation(token)).state).toBe('open');
	});

	it('creates exactly one membership when two people accept the same link at once', async () => {
		const { group, facilitator } = await makeGroup();
		const { token } = await invite(group.id, facilitator.id);
		const [a, b] = [await makeUser('member'), await makeUser('member')];

		const outcomes = await Promise.all([reasonOf(accept(token, a.id)), reasonOf(accept(token, b.id))]);

		expect(outcomes.sort()).toEqual(['accepted', 'used']);
		expect(await countMemberships(group.id)).toBe(1);
		const accepted = (await readAuditFor(group.id)).filter((row) => row.action === 'invitation.accepted');
		expect(accepted).toHaveLength(1);
	});

	it('creates one membership when the same person double-submits', async () => {
		const { group, facilitator } = await makeGroup();
		const { token } = await invite(group.id, facilitator.id);
		const invitee = await makeUser('member');

		const outcomes = await Promise.all([1, 2, 3].map(() => reasonOf(accept(token, invitee.id))));

		expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
		expect(await countMemberships(group.id)).toBe(1);
	});

	it('asks to read again when the agreement changed after the invitee read it', async () => {
		const { group, facilitator } = await makeGroup();
		const { token } = await invite(group.id, facilitator.id);

		expect(await reasonOf(accept(token, (await makeUser('member')).id, 99))).toBe('agreement-changed');
		expect((await lookUpInvitation(token)).state).toBe('open');
	});

	it('keeps to the capacity: no invitation beyond it, no join beyond it', async () => {
		const { group, facilitator } = await makeGroup({ capacity: 1 });
		const { token, id } = await invite(group.id, facilitator.id);

		await expect(invite(group.id, facilitator.id)).rejects.toThrow(/capacity 1/);
		await accept(token, (await makeUser('member')).id);
		await expect(invite(group.id, facilitator.id)).rejects.toThrow(/capacity 1/);
		expect((await listInvitations(group.id)).find((row) => row.id === id)?.state).toBe('used');
	});

	it('re-issues a lost link: the old one is revoked, the new one works', async () => {
		const { group, facilitator } = await makeGroup();
		const old = await invite(group.id, facilitator.id);

		const fresh = await reissueInvitation({
			groupId: group.id,
			actorId: facilitator.id,
			invitationId: old.id,
			origin: ORIGIN
		});

		expect(await lookUpInvitation(old.token)).toEqual({ state: 'revoked' });
		const lookup = await lookUpInvitation(tokenOf(fresh.link));
		expect(lookup).toMatchObject({ state: 'open', note: personal.note, group: { id: group.id } });
		const states = await listInvitations(group.id);
		expect(states.map((row) => row.state).sort()).toEqual(['open', 'revoked']);
	});

	it('writes created, accepted and revoked to the audit log, with ids and no personal text', async () => {
		const { group, facilitator } = await makeGroup();
		const kept = await invite(group.id, facilitator.id);
		const dropped = await invite(group.id, facilitator.id);
		const invitee = await makeUser('member');
		await accept(kept.token, invitee.id);
		await revokeInvitation({ groupId: group.id, actorId: facilitator.id, invitationId: dropped.id });

		const rows = (await readAuditFor(group.id)).filter((row) => row.action.startsWith('invitation.'));
		expect(rows.map((row) => [row.action, row.actorId, row.objectId])).toEqual([
			['invitation.created', facilitator.id, kept.id],
			['invitation.created', facilitator.id, dropped.id],
			['invitation.accepted', invitee.id, kept.id],
			['invitation.revoked', facilitator.id, dropped.id]
		]);
		await expectNoPersonalTextInAudit([kept.token, dropped.token]);
	});
});
