// Emergency access through its pages, as raw requests would reach them: every load and action authorises on
// its own, refuses anyone but a clinical lead with the 404 of a page that is not there, and a refused form
// changes nothing.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { db } from '$lib/server/db';
import { clinicalLead, emergencyAccess, user } from '$lib/server/db/schema';
import { hashPassword } from '$lib/server/auth/passwords';
import { setClinicalLead } from '$lib/server/emergency-access/leads';
import { createRequestEvent, uniqueAddress } from '$test/request-events';
import { actions as startActions, load as loadStart } from '../../src/routes/(app)/emergency/+page.server';
import { load as loadView } from '../../src/routes/(app)/emergency/[groupId]/+page.server';
import { actions as staffActions } from '../../src/routes/(app)/admin/staff/+page.server';
import { joinGroup, makeGroup, makeUser, ORIGIN } from './groups-fixtures';

const PASSWORD = 'a long calm passphrase for tests';
type Account = Awaited<ReturnType<typeof makeUser>>;

function eventAs(person: Account, path: string, form?: Record<string, string>, params: Record<string, string> = {}) {
	const locals = {
		user: { id: person.id, email: person.email, displayName: person.displayName, role: person.role },
		session: null
	} as unknown as App.Locals;
	const body = new FormData();
	for (const [name, value] of Object.entries(form ?? {})) body.set(name, value);
	return {
		...createRequestEvent({ path, locals, address: uniqueAddress() }),
		params,
		request: new Request(`${ORIGIN}${path}`, form ? { method: 'POST', body } : undefined)
	} as never;
}

async function setUp() {
	const { group, facilitator } = await makeGroup();
	const member = await joinGroup(group.id, facilitator.id);
	const admin = await makeUser('admin', 'Admin Ezra');
	const staff = await makeUser('staff', 'Staff Pat');
	const lead = await makeUser('staff', 'Lead Morgan');
	await db
		.update(user)
		.set({ passwordHash: await hashPassword(PASSWORD) })
		.where(eq(user.id, lead.id));
	await setClinicalLead({ adminId: admin.id, userId: lead.id, lead: true });
	return { group, facilitator, member, admin, staff, lead };
}

const reason = 'A member wrote about a plan to harm themselves tonight.';

describe('the Emergency access pages', () => {
	it('are not there for anyone but a clinical lead, and a refused start stores nothing', async () => {
		const { group, facilitator, member, admin, staff } = await setUp();
		for (const person of [facilitator, member, admin, staff]) {
			await expect(loadStart(eventAs(person, '/emergency'))).rejects.toMatchObject({ status: 404 });
			await expect(
				loadView(eventAs(person, `/emergency/${group.id}`, undefined, { groupId: group.id }))
			).rejects.toMatchObject({ status: 404 });
			await expect(
				startActions.start(eventAs(person, '/emergency?/start', { groupId: group.id, reason, password: PASSWORD }))
			).rejects.toMatchObject({ status: 404 });
		}
		expect(await db.select().from(emergencyAccess).where(eq(emergencyAccess.groupId, group.id))).toEqual([]);
	});

	it('give a clinical lead a clear refusal without a reason, then open the board with one', async () => {
		const { group, lead } = await setUp();
		const refused = await startActions.start(
			eventAs(lead, '/emergency?/start', { groupId: group.id, reason: '   ', password: PASSWORD })
		);
		expect(refused).toMatchObject({
			status: 400,
			data: { message: 'Please write why you need to open this board now.' }
		});
		const wrong = await startActions.start(
			eventAs(lead, '/emergency?/start', { groupId: group.id, reason, password: 'nope' })
		);
		expect(wrong).toMatchObject({ status: 400, data: { reason, groupId: group.id } });
		expect(JSON.stringify(wrong)).not.toContain('nope');
		// Reading the view before a grant shows no board and records nothing.
		const before = await loadView(eventAs(lead, `/emergency/${group.id}`, undefined, { groupId: group.id }));
		expect(before).toMatchObject({ grant: null });
		expect(before).not.toHaveProperty('documentName');

		await expect(
			startActions.start(eventAs(lead, '/emergency?/start', { groupId: group.id, reason, password: PASSWORD }))
		).rejects.toMatchObject({ status: 303, location: `/emergency/${group.id}` });
		const view = await loadView(eventAs(lead, `/emergency/${group.id}`, undefined, { groupId: group.id }));
		expect(view).toMatchObject({ documentName: `group:${group.id}` });
	});

	it("do not let a lead end someone else's emergency access", async () => {
		const { group, lead, admin } = await setUp();
		const other = await makeUser('staff', 'Lead Other');
		await db.insert(clinicalLead).values({ userId: other.id, markedBy: admin.id });
		await expect(
			startActions.start(eventAs(lead, '/emergency?/start', { groupId: group.id, reason, password: PASSWORD }))
		).rejects.toMatchObject({ status: 303 });
		const [grant] = await db.select().from(emergencyAccess).where(eq(emergencyAccess.groupId, group.id));
		const refused = await startActions.end(eventAs(other, '/emergency?/end', { grantId: grant.id }));
		expect(refused).toMatchObject({ status: 400 });
		const [still] = await db.select().from(emergencyAccess).where(eq(emergencyAccess.id, grant.id));
		expect(still.endedAt).toBeNull();
	});
});

it('only the admin marks clinical leads', async () => {
	const { staff, lead } = await setUp();
	await expect(
		staffActions.clinicalLead(eventAs(lead, '/admin/staff?/clinicalLead', { userId: staff.id, lead: 'yes' }))
	).rejects.toMatchObject({ status: 404 });
	expect(await db.select().from(clinicalLead).where(eq(clinicalLead.userId, staff.id))).toEqual([]);
});
