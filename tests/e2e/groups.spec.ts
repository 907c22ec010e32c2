import fs from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { admin, createStaff, newPerson, openSignedIn, type Person } from './support/people';
import { DESKTOP, PHONE, expectAccessible } from './support/look';

// A therapist forms a group with the standard program and invites two clients; each joins by creating
// an account and signing the agreement. A member of another group and a removed member find nothing.

const SCREENS = '.tmp/screens';

async function screenshot(page: Page, name: string) {
	fs.mkdirSync(SCREENS, { recursive: true });
	const original = page.viewportSize();
	for (const [label, size] of [
		['390', PHONE],
		['1280', DESKTOP]
	] as const) {
		await page.setViewportSize(size);
		await page.screenshot({ path: `${SCREENS}/groups-${name}-${label}.png`, fullPage: true });
	}
	if (original) await page.setViewportSize(original);
}

function inDays(days: number): string {
	return new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

async function formGroup(page: Page, name: string): Promise<string> {
	await page.goto('/');
	await page.getByRole('link', { name: 'Form a new group' }).click();
	await expect(page.getByRole('heading', { name: 'Form a new group' })).toBeVisible();
	await page.getByLabel('Name', { exact: true }).fill(name);
	await page.getByLabel('Short description').fill('Preparation, four journeys and integration.');
	await page.getByLabel('Time zone').selectOption('Europe/Berlin');
	await expect(page.getByLabel('Start with the standard program')).toBeChecked();
	await page.getByLabel('First session').fill(inDays(10));
	await page.getByLabel('Time', { exact: true }).fill('18:30');
	await page.getByRole('button', { name: 'Form the group' }).click();
	await expect(page.getByText('Your group is ready.')).toBeVisible();
	const groupId = /\/groups\/([a-z0-9]+)\/schedule/.exec(page.url())?.[1];
	expect(groupId).toBeTruthy();
	return groupId!;
}

async function createInvitation(page: Page, groupId: string, note: string): Promise<string> {
	await page.goto(`/groups/${groupId}/members`);
	await page.getByLabel('Note (optional)').fill(note);
	await page.getByRole('button', { name: 'Create invitation' }).click();
	const link = page.getByTestId('invite-link');
	await expect(link).toBeVisible();
	return link.inputValue();
}

/** A new person on their own device opens the link, creates an account and signs the agreement. */
async function acceptAsNewMember(browser: Browser, link: string, person: Person, options: { look?: boolean } = {}) {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto(link);
	await expect(page.getByRole('heading', { name: /^Join / })).toBeVisible();
	if (options.look) {
		await expectAccessible(page);
		await screenshot(page, 'invite-account');
	}
	const createForm = page.locator('form', { has: page.getByRole('button', { name: 'Create account and continue' }) });
	await createForm.getByLabel('Name in the group').fill(person.displayName);
	await createForm.getByLabel('Email').fill(person.email);
	await createForm.getByLabel('Password').fill(person.password);
	await createForm.getByRole('button', { name: 'Create account and continue' }).click();

	await expect(page.getByRole('heading', { name: 'Confidentiality agreement' })).toBeVisible();
	await expect(page.getByTestId('agreement-text')).toContainText('What is shared in this circle stays in this circle.');
	if (options.look) {
		await expectAccessible(page);
		await screenshot(page, 'invite-sign');
	}
	await page.getByLabel('I have read this agreement').check();
	await page.getByLabel('Type your name to sign').fill(person.displayName);
	await page.getByRole('button', { name: 'Sign and join the group' }).click();
	// Accepting leads away from the invitation link: the token does not stay in the address bar.
	await expect(page).toHaveURL(/\/groups\/[a-z0-9]+$/);
	return { context, page };
}

/** A POST to a form action the way a hand-made request would send it, with whatever ids it likes. */
async function postAction(page: Page, path: string, form: Record<string, string>) {
	return page.request.post(path, {
		form,
		headers: { origin: new URL(page.url()).origin },
		maxRedirects: 0
	});
}

test('a therapist forms a group, two clients join and sign, outsiders and removed members find nothing', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const therapistAccount = await createStaff(browser, 'Rowan');
	const therapist = await openSignedIn(browser, therapistAccount);

	await therapist.page.goto('/groups/new');
	await expectAccessible(therapist.page);
	await screenshot(therapist.page, 'new');

	const groupId = await formGroup(therapist.page, 'Evening circle');
	const sessions = therapist.page
		.getByRole('listitem')
		.filter({ has: therapist.page.getByRole('heading', { level: 3 }) });
	await expect(sessions).toHaveCount(7);
	await expect(sessions.first()).toContainText('Preparation 1');
	await expect(sessions.first()).toContainText('Next');
	await expect(sessions.last()).toContainText('Integration 1');
	await expectAccessible(therapist.page);
	await screenshot(therapist.page, 'schedule-facilitator');

	const firstLink = await createInvitation(therapist.page, groupId, 'For Sam, after intake');
	const secondLink = await createInvitation(therapist.page, groupId, 'For Alex');
	expect(firstLink).toMatch(/\/invite\/[a-z2-7]{32}$/);
	await expect(therapist.page.getByText('For Sam, after intake')).toBeVisible();

	const sam = newPerson('Sam');
	const alex = newPerson('Alex');
	const samDevice = await acceptAsNewMember(browser, firstLink, sam, { look: true });
	const alexDevice = await acceptAsNewMember(browser, secondLink, alex);

	for (const device of [samDevice, alexDevice]) {
		await expect(device.page.getByRole('heading', { name: 'Evening circle' })).toBeVisible();
		const next = device.page.getByRole('region', { name: 'Next session' });
		await expect(next).toContainText('Preparation 1');
		await expect(next).toContainText(/CES?T/);
		await expect(device.page.getByRole('link', { name: 'Open the board' })).toHaveAttribute(
			'href',
			`/groups/${groupId}/board`
		);
	}
	await expectAccessible(samDevice.page);
	await screenshot(samDevice.page, 'overview-member');

	await samDevice.page.goto('/');
	const card = samDevice.page.getByRole('listitem').filter({ hasText: 'Evening circle' });
	await expect(card).toContainText('Next session');
	await expect(card).toContainText('Preparation 1');
	await expectAccessible(samDevice.page);
	await screenshot(samDevice.page, 'home-member');

	await samDevice.page.goto(`/groups/${groupId}/schedule`);
	await expect(samDevice.page.getByRole('button', { name: /Save/ })).toHaveCount(0);
	await screenshot(samDevice.page, 'schedule-member');
	// Facilitator pages do not exist for members.
	expect((await samDevice.page.goto(`/groups/${groupId}/members`))?.status()).toBe(404);

	// A used link gets a clear page and changes nothing.
	const latecomer = await browser.newContext();
	const latePage = await latecomer.newPage();
	await latePage.goto(firstLink);
	await expect(latePage.getByRole('heading', { name: 'This invitation has already been used' })).toBeVisible();
	await expectAccessible(latePage);
	await screenshot(latePage, 'invite-used');
	await latecomer.close();

	// The facilitator sees both members as having signed.
	await therapist.page.goto(`/groups/${groupId}/members`);
	for (const person of [sam, alex]) {
		await expect(therapist.page.getByRole('listitem').filter({ hasText: person.displayName }).first()).toContainText(
			'Agreement signed'
		);
	}
	await expectAccessible(therapist.page);
	await screenshot(therapist.page, 'members');

	// Someone from another group: this group's pages and actions answer exactly like a made-up id.
	const otherGroupId = await formGroup(therapist.page, 'Morning circle');
	const otherLink = await createInvitation(therapist.page, otherGroupId, 'For Kai');
	const kai = newPerson('Kai');
	const kaiDevice = await acceptAsNewMember(browser, otherLink, kai);
	const missing = 'abcdefghijklmnopqrstuvwx';
	for (const path of ['', '/schedule', '/agreement', '/members', '/audit']) {
		const real = await kaiDevice.page.goto(`/groups/${groupId}${path}`);
		const realText = await kaiDevice.page.locator('body').innerText();
		const fake = await kaiDevice.page.goto(`/groups/${missing}${path}`);
		const fakeText = await kaiDevice.page.locator('body').innerText();
		expect(real?.status(), path).toBe(404);
		expect(fake?.status(), path).toBe(404);
		expect(realText).toBe(fakeText);
	}
	await kaiDevice.page.goto('/');
	for (const [action, form] of [
		['/members?/remove', { userId: 'anyone' }],
		['/members?/invite', { email: '', note: '' }],
		['/schedule?/addSession', { kind: 'journey', date: inDays(20), time: '10:00' }],
		['?/changeLifecycle', { to: 'active' }],
		['/agreement?/publish', { body: 'Rewritten' }]
	] as const) {
		const real = await postAction(kaiDevice.page, `/groups/${groupId}${action}`, form);
		const fake = await postAction(kaiDevice.page, `/groups/${missing}${action}`, form);
		expect(real.status(), action).toBe(404);
		expect(fake.status(), action).toBe(404);
	}
	// The therapist removes Alex; Alex's very next request finds nothing.
	await therapist.page.goto(`/groups/${groupId}/members`);
	const alexRow = therapist.page.getByRole('listitem').filter({ hasText: alex.displayName }).first();
	await alexRow.getByText('Remove…').click();
	await alexRow.getByRole('button', { name: `Remove ${alex.displayName}` }).click();
	await expect(therapist.page.getByText('Removed. Their access ended immediately.')).toBeVisible();

	const afterRemoval = await alexDevice.page.reload();
	expect(afterRemoval?.status()).toBe(404);
	await alexDevice.page.goto('/');
	await expect(alexDevice.page.getByText('Evening circle')).toHaveCount(0);
	await expect(alexDevice.page.getByRole('heading', { name: 'No groups yet' })).toBeVisible();

	// The facilitator's overview and activity, and the admin's audit log.
	await therapist.page.goto(`/groups/${groupId}`);
	await expectAccessible(therapist.page);
	await screenshot(therapist.page, 'overview-facilitator');
	await therapist.page.goto(`/groups/${groupId}/agreement`);
	await expectAccessible(therapist.page);
	await screenshot(therapist.page, 'agreement-facilitator');
	await therapist.page.goto(`/groups/${groupId}/audit`);
	await expect(
		therapist.page.getByRole('list', { name: 'Audit events, newest first' }).getByText('Member removed').first()
	).toBeVisible();
	await expectAccessible(therapist.page);
	await screenshot(therapist.page, 'activity');
	await therapist.page.goto('/');
	await screenshot(therapist.page, 'home-facilitator');

	const adminDevice = await openSignedIn(browser, admin);
	await adminDevice.page.goto('/admin/audit');
	await expect(adminDevice.page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
	const log = adminDevice.page.getByRole('list', { name: 'Audit events, newest first' });
	await expect(log.getByText('Invitation accepted').first()).toBeVisible();
	await expect(log.getByText('Member removed').first()).toBeVisible();
	const logText = await adminDevice.page.locator('main').innerText();
	for (const secret of [sam.email, alex.email, 'For Sam, after intake', firstLink])
		expect(logText).not.toContain(secret);
	// The periodic review: the log is whole, and the CSV holds what the page shows.
	await adminDevice.page.getByRole('button', { name: 'Check the log is whole' }).click();
	await expect(adminDevice.page.getByRole('status').filter({ hasText: 'Whole.' })).toContainText(
		/Newest fingerprint: [0-9a-f]{64}/
	);
	const downloading = adminDevice.page.waitForEvent('download');
	await adminDevice.page.getByRole('button', { name: 'Download as CSV' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/^hearth-audit-\d{4}-\d{2}-\d{2}\.csv$/);
	const csv = fs.readFileSync(await download.path(), 'utf8');
	expect(csv.split('\r\n')[0]).toContain('time_utc,action,what,actor_id,actor');
	expect(csv).toContain('member.removed');
	for (const secret of [sam.email, alex.email, 'For Sam, after intake', firstLink]) expect(csv).not.toContain(secret);
	await expectAccessible(adminDevice.page);
	await screenshot(adminDevice.page, 'admin-audit');

	for (const device of [therapist, samDevice, alexDevice, kaiDevice, adminDevice]) await device.context.close();
});

test('a member asked to sign a new agreement version sees the sign page until they do', async ({ browser }) => {
	test.setTimeout(120_000);
	const therapist = await openSignedIn(browser, await createStaff(browser, 'Quinn'));
	const groupId = await formGroup(therapist.page, 'Agreement circle');
	const link = await createInvitation(therapist.page, groupId, 'For Robin');
	const robin = newPerson('Robin');
	const member = await acceptAsNewMember(browser, link, robin);

	await therapist.page.goto(`/groups/${groupId}/agreement`);
	await therapist.page.getByLabel('Agreement text').fill('We keep each other’s stories safe. (Version two.)');
	await therapist.page.getByRole('button', { name: 'Publish a new version' }).click();
	await expect(therapist.page.getByText('Version 2 is now in force.')).toBeVisible();

	await member.page.goto(`/groups/${groupId}`);
	await expect(member.page).toHaveURL(new RegExp(`/groups/${groupId}/agreement$`));
	await expect(member.page.getByRole('heading', { name: 'The agreement has changed' })).toBeVisible();
	await expectAccessible(member.page);
	await screenshot(member.page, 'agreement-resign');
	await member.page.getByLabel('I have read this agreement').check();
	await member.page.getByLabel('Type your name to sign').fill('Robin');
	await member.page.getByRole('button', { name: 'Sign the agreement' }).click();
	await expect(member.page).toHaveURL(new RegExp(`/groups/${groupId}$`));
	await expect(member.page.getByRole('link', { name: 'Open the board' })).toBeVisible();

	await therapist.context.close();
	await member.context.close();
});
