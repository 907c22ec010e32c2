// Emergency access through the domain (src/lib/server/emergency-access), against a real PostgreSQL and a
// tiny SMTP server: who may start it and with what, what is recorded, who is told, and what a member sees.
// The socket side (read-only view, closing on end and expiry) is src/lib/server/emergency-access/realtime.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFakeSmtpServer } from '../support/fake-smtp';

const getSmtp = useFakeSmtpServer({ beforeAll, afterAll });

const PASSWORD = 'correct horse battery staple 42';
const REASON = '  Ada wrote that she has a plan to end her life; Rowan is on leave.  ';
const ADDRESS = '203.0.113.7';

async function setUp() {
	const { db } = await import('$lib/server/db');
	const { user } = await import('$lib/server/db/schema');
	const { hashPassword } = await import('$lib/server/auth/passwords');
	const { eq } = await import('drizzle-orm');
	const fixtures = await import('./groups-fixtures');
	const { setClinicalLead } = await import('$lib/server/emergency-access/leads');
	const { group, facilitator } = await fixtures.makeGroup();
	const member = await fixtures.joinGroup(group.id, facilitator.id);
	const admin = await fixtures.makeUser('admin', 'Admin Ezra');
	const lead = await fixtures.makeUser('staff', 'Lead Morgan Ashby');
	await db
		.update(user)
		.set({ passwordHash: await hashPassword(PASSWORD) })
		.where(eq(user.id, lead.id));
	await setClinicalLead({ adminId: admin.id, userId: lead.id, lead: true });
	return { ...fixtures, group, facilitator, member, admin, lead };
}

async function start(leadId: string, groupId: string, overrides: { reason?: string; password?: string } = {}) {
	const { startEmergencyAccess } = await import('$lib/server/emergency-access/grants');
	return startEmergencyAccess({
		leadId,
		groupId,
		reason: overrides.reason ?? REASON,
		password: overrides.password ?? PASSWORD,
		address: ADDRESS,
		origin: 'http://hearth.test'
	});
}

async function grantsOf(groupId: string) {
	const { db } = await import('$lib/server/db');
	const { emergencyAccess } = await import('$lib/server/db/schema');
	const { eq } = await import('drizzle-orm');
	return db.select().from(emergencyAccess).where(eq(emergencyAccess.groupId, groupId));
}

describe('starting emergency access', () => {
	it('records the grant for an hour with the trimmed reason, audits it without the reason, and tells the facilitators', async () => {
		const { group, facilitator, lead, readAuditFor, expectNoPersonalTextInAudit } = await setUp();
		const { getOpenEmergencyGrant, listGroupEmergencyAccess } = await import('$lib/server/emergency-access/grants');
		const { countUnreadNotifications } = await import('$lib/server/moderation/notifications');
		const sentBefore = getSmtp().received.length;

		const before = Date.now();
		const grant = await start(lead.id, group.id);
		expect(grant.endsAt.getTime() - before).toBeGreaterThanOrEqual(60 * 60_000 - 1000);
		expect(grant.endsAt.getTime() - before).toBeLessThanOrEqual(60 * 60_000 + 5000);
		expect(await getOpenEmergencyGrant(lead.id, group.id)).toEqual(grant);

		const [row] = await grantsOf(group.id);
		expect(row).toMatchObject({ leadId: lead.id, reason: REASON.trim(), endedAt: null });

		const started = (await readAuditFor(group.id)).filter((event) => event.action === 'emergency_access.started');
		expect(started).toHaveLength(1);
		expect(started[0]).toMatchObject({
			actorId: lead.id,
			objectId: group.id,
			detail: { grant: grant.id, minutes: 60 }
		});
		await expectNoPersonalTextInAudit(['plan to end her life', 'Lead Morgan', 'Ada wrote']);

		// The facilitators: a notification on their staff space, the record with who and why, and an email
		// that names no person, no group and nothing of the reason.
		expect(await countUnreadNotifications(facilitator.id, group.id)).toBe(1);
		expect(await listGroupEmergencyAccess(group.id)).toEqual([
			expect.objectContaining({ lead: 'Lead Morgan Ashby', reason: REASON.trim(), state: 'open', until: grant.endsAt })
		]);
		const mails = getSmtp().received.slice(sentBefore);
		expect(mails).toHaveLength(1);
		expect(mails[0].to.join()).toContain('@example.org');
		expect(mails[0].data).toMatch(/^Subject: A board you facilitate was opened in an emergency$/m);
		for (const secret of ['Morgan', 'Ashby', 'Thursday', 'Rowan', 'plan to end', group.id]) {
			expect(mails[0].data).not.toContain(secret);
		}
	});

	it('refuses a missing, too short or too long reason, and changes nothing', async () => {
		const { group, lead } = await setUp();
		const { EmergencyAccessError } = await import('$lib/server/emergency-access/errors');
		for (const reason of ['', '    ', 'risk', '   short reason   ', 'x'.repeat(501)]) {
			await expect(start(lead.id, group.id, { reason })).rejects.toThrow(EmergencyAccessError);
		}
		await expect(start(lead.id, group.id, { reason: '' })).rejects.toThrow('Please write why');
		await expect(start(lead.id, group.id, { reason: 'risk' })).rejects.toThrow('at least 20 characters');
		expect(await grantsOf(group.id)).toEqual([]);
	});

	it('refuses a wrong password and records the failure', async () => {
		const { group, lead, readAudit } = await setUp();
		const { AccountError } = await import('$lib/server/auth/accounts');
		await expect(start(lead.id, group.id, { password: 'not my password' })).rejects.toThrow(AccountError);
		expect(await grantsOf(group.id)).toEqual([]);
		const failures = (await readAudit()).filter((event) => event.action === 'auth.sign_in_failed');
		expect(failures.at(-1)?.detail).toMatchObject({ via: 'emergency_access' });
	});

	it('is not there for staff who are not clinical leads, members or the admin', async () => {
		const { group, facilitator, member, admin, makeUser } = await setUp();
		const { EmergencyAccessHidden } = await import('$lib/server/emergency-access/errors');
		const { listEmergencyGroups } = await import('$lib/server/emergency-access/grants');
		const staff = await makeUser('staff', 'Staff Pat');
		for (const person of [staff, member, admin, facilitator]) {
			await expect(start(person.id, group.id)).rejects.toThrow(EmergencyAccessHidden);
			await expect(listEmergencyGroups(person.id)).rejects.toThrow(EmergencyAccessHidden);
		}
		expect(await grantsOf(group.id)).toEqual([]);
	});

	it('cannot make the admin or a member a clinical lead', async () => {
		const { member, admin } = await setUp();
		const { setClinicalLead } = await import('$lib/server/emergency-access/leads');
		const { EmergencyAccessError } = await import('$lib/server/emergency-access/errors');
		for (const person of [admin, member]) {
			await expect(setClinicalLead({ adminId: admin.id, userId: person.id, lead: true })).rejects.toThrow(
				EmergencyAccessError
			);
		}
	});

	it('refuses a clinical lead who facilitates the group (they see it already) and a group that is not there', async () => {
		const { group, facilitator, admin } = await setUp();
		const { setClinicalLead } = await import('$lib/server/emergency-access/leads');
		const { EmergencyAccessError, EmergencyAccessHidden } = await import('$lib/server/emergency-access/errors');
		await setClinicalLead({ adminId: admin.id, userId: facilitator.id, lead: true });
		await expect(start(facilitator.id, group.id)).rejects.toThrow(EmergencyAccessError);
		await expect(start(facilitator.id, 'aaaaaaaaaaaaaaaaaaaaaaaa')).rejects.toThrow(EmergencyAccessHidden);
		expect(await grantsOf(group.id)).toEqual([]);
	});

	it('keeps one open grant per lead and group; a grant for one group opens no other', async () => {
		const { group, lead, makeGroup } = await setUp();
		const { getOpenEmergencyGrant } = await import('$lib/server/emergency-access/grants');
		const other = await makeGroup();
		await start(lead.id, group.id);
		await expect(start(lead.id, group.id)).rejects.toThrow('already have this board open');
		expect(await grantsOf(group.id)).toHaveLength(1);
		expect(await getOpenEmergencyGrant(lead.id, other.group.id)).toBeNull();
	});
});

describe('ending emergency access', () => {
	it('the lead ends it early (audited); it cannot be ended twice or by someone else', async () => {
		const { group, lead, makeUser, admin, readAuditFor } = await setUp();
		const { endEmergencyAccess, getOpenEmergencyGrant, listGroupEmergencyAccess } =
			await import('$lib/server/emergency-access/grants');
		const { setClinicalLead } = await import('$lib/server/emergency-access/leads');
		const grant = await start(lead.id, group.id);
		const otherLead = await makeUser('staff', 'Lead Other');
		await setClinicalLead({ adminId: admin.id, userId: otherLead.id, lead: true });
		await expect(endEmergencyAccess({ leadId: otherLead.id, grantId: grant.id })).rejects.toThrow('already ended');
		expect(await getOpenEmergencyGrant(lead.id, group.id)).not.toBeNull();

		await endEmergencyAccess({ leadId: lead.id, grantId: grant.id });
		expect(await getOpenEmergencyGrant(lead.id, group.id)).toBeNull();
		await expect(endEmergencyAccess({ leadId: lead.id, grantId: grant.id })).rejects.toThrow('already ended');
		const ended = (await readAuditFor(group.id)).filter((event) => event.action === 'emergency_access.ended');
		expect(ended).toHaveLength(1);
		expect((await listGroupEmergencyAccess(group.id))[0].state).toBe('ended early');
		// A new emergency may start again afterwards.
		await start(lead.id, group.id);
		expect(await getOpenEmergencyGrant(lead.id, group.id)).not.toBeNull();
	});

	it('a grant past its end opens nothing, and a new one can start', async () => {
		const { group, lead } = await setUp();
		const { db } = await import('$lib/server/db');
		const { emergencyAccess } = await import('$lib/server/db/schema');
		const { eq } = await import('drizzle-orm');
		const { getOpenEmergencyGrant, listGroupEmergencyAccess } = await import('$lib/server/emergency-access/grants');
		const grant = await start(lead.id, group.id);
		await db
			.update(emergencyAccess)
			.set({ endsAt: new Date(Date.now() - 1000) })
			.where(eq(emergencyAccess.id, grant.id));
		expect(await getOpenEmergencyGrant(lead.id, group.id)).toBeNull();
		expect((await listGroupEmergencyAccess(group.id))[0].state).toBe('ran out');
		await start(lead.id, group.id);
		expect(await grantsOf(group.id)).toHaveLength(2);
	});

	it('taking the clinical lead mark away ends their open grants (every change audited)', async () => {
		const { group, lead, admin, readAudit } = await setUp();
		const { getOpenEmergencyGrant } = await import('$lib/server/emergency-access/grants');
		const { setClinicalLead } = await import('$lib/server/emergency-access/leads');
		const grant = await start(lead.id, group.id);
		await setClinicalLead({ adminId: admin.id, userId: lead.id, lead: false });
		expect(await getOpenEmergencyGrant(lead.id, group.id)).toBeNull();
		const marks = (await readAudit()).filter(
			(event) => event.objectId === lead.id && event.action.startsWith('clinical_lead.')
		);
		expect(marks.map((event) => [event.action, event.actorId])).toEqual([
			['clinical_lead.marked', admin.id],
			['clinical_lead.unmarked', admin.id]
		]);
		// The grant's end is on the group's record too, by the admin whose change ended it.
		const ends = (await readAudit()).filter(
			(event) => event.groupId === group.id && event.action === 'emergency_access.ended'
		);
		expect(ends.map((event) => [event.actorId, event.detail?.grant, event.detail?.because])).toEqual([
			[admin.id, grant.id, 'no_longer_a_clinical_lead']
		]);
	});
});

it("shows a member of the group, and nobody else, that a clinical lead opened the group's board", async () => {
	const { group, facilitator, member, lead, makeGroup, joinGroup } = await setUp();
	const { listDataAccess } = await import('$lib/server/audit/data-access');
	const { recordEmergencyView } = await import('$lib/server/emergency-access/grants');
	const elsewhere = await makeGroup();
	const outsider = await joinGroup(elsewhere.group.id, elsewhere.facilitator.id);
	const grant = await start(lead.id, group.id);
	await recordEmergencyView(lead.id, group.id, grant.id);
	await recordEmergencyView(lead.id, group.id, grant.id);

	const looks = await listDataAccess(member.id);
	expect(looks).toEqual([
		expect.objectContaining({
			who: 'Lead Morgan Ashby',
			what: "opened the group's board in an emergency, as a clinical lead (read-only)",
			times: 2
		})
	]);
	expect(await listDataAccess(outsider.id)).toEqual([]);
	// Facilitators are told through their staff space, not this list (it is about members' data).
	expect(await listDataAccess(facilitator.id)).toEqual([]);
});

it('starts only one grant when the same lead starts twice at once (a double click, two tabs)', async () => {
	const { group, lead } = await setUp();
	const results = await Promise.allSettled([start(lead.id, group.id), start(lead.id, group.id)]);
	expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
	const refused = results.find((result) => result.status === 'rejected');
	expect(String((refused as PromiseRejectedResult).reason)).toContain('already have this board open');
	expect(await grantsOf(group.id)).toHaveLength(1);
});
