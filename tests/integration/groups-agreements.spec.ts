// Agreement versions, lifecycle transitions with alumni re-consent, and what each does to access.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { connection, db } from '$lib/server/db';
import { agreement, agreementSignature, auditEvent, group as groupTable } from '$lib/server/db/schema';
import { getGroupAccess, getGroupStanding } from '$lib/server/groups/access';
import { getCurrentAgreement, publishAgreement, signAgreement } from '$lib/server/groups/agreements';
import { changeLifecycle } from '$lib/server/groups/groups';
import { declineAgreement, listMembers } from '$lib/server/groups/membership';
import { createInvitation } from '$lib/server/invitations';
import { ORIGIN, expectNoPersonalTextInAudit, joinGroup, makeGroup, personal, readAuditFor } from './groups-fixtures';

afterAll(() => connection.close());

describe('the confidentiality agreement', () => {
	it('stores each signature with its version, typed name and time', async () => {
		const { group, facilitator } = await makeGroup();
		const before = Date.now();
		const member = await joinGroup(group.id, facilitator.id);

		const [signature] = await db.select().from(agreementSignature).where(eq(agreementSignature.userId, member.id));
		expect(signature).toMatchObject({ groupId: group.id, version: 1, typedName: personal.typedName });
		expect(signature.signedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
	});

	it('makes a new version on edit; members read but cannot write until they sign it', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);

		const v2 = await publishAgreement({
			groupId: group.id,
			actorId: facilitator.id,
			body: 'We also agree to arrive on time.'
		});

		expect(v2.version).toBe(2);
		const [v1] = await db
			.select()
			.from(agreement)
			.where(and(eq(agreement.groupId, group.id), eq(agreement.version, 1)));
		expect(v1.body).toBe(personal.agreementText);
		expect(await getGroupStanding(member.id, group.id)).toMatchObject({ canWrite: false, needsSignature: true });
		expect(await getGroupAccess(facilitator.id, group.id)).toMatchObject({ canWrite: true });
		expect((await listMembers(group.id)).find((m) => m.userId === member.id)?.state).toBe('joined');

		await signAgreement({ groupId: group.id, userId: member.id, typedName: personal.typedName, version: 2 });

		expect(await getGroupStanding(member.id, group.id)).toMatchObject({ canWrite: true, needsSignature: false });
		expect((await listMembers(group.id)).find((m) => m.userId === member.id)?.state).toBe('signed');
	});

	it('refuses a signature of a version the member did not read, and an unchanged "edit"', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		await publishAgreement({ groupId: group.id, actorId: facilitator.id, body: 'Version two.' });

		await expect(
			signAgreement({ groupId: group.id, userId: member.id, typedName: personal.typedName, version: 1 })
		).rejects.toThrow(/read the new version/);
		await expect(
			publishAgreement({ groupId: group.id, actorId: facilitator.id, body: ' Version two. ' })
		).rejects.toThrow(/unchanged/);
		await expect(signAgreement({ groupId: group.id, userId: member.id, typedName: '   ', version: 2 })).rejects.toThrow(
			/type your name/
		);
		expect((await getCurrentAgreement(group.id))?.version).toBe(2);
	});
});

describe('the group lifecycle', () => {
	it('moves forming → active → alumni → archived, one step at a time', async () => {
		const { group, facilitator } = await makeGroup();
		const move = (to: string) => changeLifecycle({ groupId: group.id, actorId: facilitator.id, to });

		await expect(move('alumni')).rejects.toThrow(/already moved on/);
		await move('active');
		await expect(move('active')).rejects.toThrow(/already moved on/);
		await move('alumni');
		await move('archived');
		await expect(move('forming')).rejects.toThrow(/already moved on/);

		const [row] = await db.select().from(groupTable).where(eq(groupTable.id, group.id));
		expect(row.lifecycle).toBe('archived');
		const changes = (await readAuditFor(group.id)).filter((r) => r.action === 'group.lifecycle_changed');
		expect(changes.map((r) => r.detail)).toEqual([
			{ from: 'forming', to: 'active' },
			{ from: 'active', to: 'alumni' },
			{ from: 'alumni', to: 'archived' }
		]);
	});

	it('asks every member to re-consent as alumni; those who decline leave, those who sign stay', async () => {
		const { group, facilitator } = await makeGroup();
		const staying = await joinGroup(group.id, facilitator.id);
		const going = await joinGroup(group.id, facilitator.id);
		await changeLifecycle({ groupId: group.id, actorId: facilitator.id, to: 'active' });

		await changeLifecycle({
			groupId: group.id,
			actorId: facilitator.id,
			to: 'alumni',
			alumniAgreementBody: 'Alumni terms.'
		});

		const alumniAgreement = await getCurrentAgreement(group.id);
		expect(alumniAgreement).toMatchObject({ version: 2, kind: 'alumni', body: 'Alumni terms.' });
		for (const member of [staying, going]) {
			expect(await getGroupStanding(member.id, group.id)).toMatchObject({
				lifecycle: 'alumni',
				canWrite: false,
				needsSignature: true,
				agreementKind: 'alumni'
			});
		}

		await signAgreement({ groupId: group.id, userId: staying.id, typedName: 'S', version: 2 });
		await declineAgreement({ groupId: group.id, userId: going.id });

		expect(await getGroupAccess(staying.id, group.id)).toMatchObject({
			role: 'member',
			lifecycle: 'alumni',
			canWrite: true
		});
		expect(await getGroupAccess(going.id, group.id)).toBeNull();
		const states = Object.fromEntries((await listMembers(group.id)).map((m) => [m.userId, m.state]));
		expect(states[staying.id]).toBe('alumni');
		expect(states[going.id]).toBe('left');
		const actions = (await readAuditFor(group.id)).filter((r) => r.objectId === going.id).map((r) => r.action);
		expect(actions).toEqual(['agreement.declined', 'member.left']);
	});

	it('makes an archived group read-only for everyone and closes it to invitations', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		for (const to of ['active', 'alumni']) await changeLifecycle({ groupId: group.id, actorId: facilitator.id, to });
		await signAgreement({ groupId: group.id, userId: member.id, typedName: 'M', version: 2 });
		await changeLifecycle({ groupId: group.id, actorId: facilitator.id, to: 'archived' });

		expect(await getGroupAccess(member.id, group.id)).toMatchObject({ lifecycle: 'archived', canWrite: false });
		expect(await getGroupAccess(facilitator.id, group.id)).toMatchObject({ canWrite: false });
		await expect(
			createInvitation({ groupId: group.id, actorId: facilitator.id, email: '', note: '', origin: ORIGIN })
		).rejects.toThrow(/no longer takes new members/);
	});

	it('writes agreement and lifecycle events with version numbers and no text', async () => {
		const { group, facilitator } = await makeGroup();
		await joinGroup(group.id, facilitator.id);
		await publishAgreement({ groupId: group.id, actorId: facilitator.id, body: 'A second, secret-sounding version.' });

		const published = (await readAuditFor(group.id)).filter((r) => r.action === 'agreement.published');
		expect(published.map((r) => r.detail)).toEqual([
			{ version: 1, kind: 'program' },
			{ version: 2, kind: 'program' }
		]);
		await expectNoPersonalTextInAudit(['secret-sounding']);
	});

	it('keeps the audit log append-only', async () => {
		const { group } = await makeGroup();
		await expect(
			db.update(auditEvent).set({ action: 'rewritten' }).where(eq(auditEvent.groupId, group.id))
		).rejects.toThrow();
		await expect(db.delete(auditEvent).where(eq(auditEvent.groupId, group.id))).rejects.toThrow();
		await expect(db.execute(sql`truncate audit_event`)).rejects.toThrow();
		expect((await readAuditFor(group.id)).length).toBeGreaterThan(0);
	});
});
