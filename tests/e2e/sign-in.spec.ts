import { expect, test } from '@playwright/test';
import { admin, createStaff, openSignedIn, signIn } from './support/people';
import { formCircle, formGroup, invite } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

test('an admin creates a therapist, who signs in and out', async ({ browser, page }) => {
	const therapist = await createStaff(browser, 'Jordan');

	await page.goto('/');
	await expect(page).toHaveURL(/\/login$/);
	await expectAccessible(page);
	await screenshotBothWidths(page, 'login');

	await signIn(page, therapist);
	await expect(page.getByRole('heading', { name: `Hello, ${therapist.displayName}` })).toBeVisible();
	// Staff do not manage the practice: the admin pages answer as if they did not exist.
	const adminPage = await page.goto('/admin/staff');
	expect(adminPage?.status()).toBe(404);

	await page.goto('/');
	const signedOut = page.waitForResponse((response) => new URL(response.url()).pathname === '/logout');
	await page.getByRole('button', { name: 'Sign out' }).click();
	// The browser is told to drop what it cached and stored for Hearth (see SIGN_OUT_CLEAR_SITE_DATA).
	expect((await (await signedOut).allHeaders())['clear-site-data']).toBe('"cache"');
	await expect(page).toHaveURL(/\/login$/);
	await page.goto('/account');
	await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
});

test('a wrong password and an unknown email get the same answer', async ({ page }) => {
	/** Submits the form and returns what the page then says, once the server has answered. */
	async function attempt(email: string): Promise<string> {
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill('not my password');
		const answered = page.waitForResponse((response) => response.request().method() === 'POST');
		await page.getByRole('button', { name: 'Sign in' }).click();
		expect((await answered).status()).toBe(200);
		await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
		return page.getByRole('alert').innerText();
	}

	await page.goto('/login');
	const wrongPassword = await attempt(admin.email);
	expect(wrongPassword).toContain('did not match');
	expect(await attempt('nobody.here@people.test')).toBe(wrongPassword);
});

test('after signing out, the old session cookie no longer works anywhere', async ({ browser }) => {
	const therapist = await createStaff(browser, 'Avery');
	const { context, page } = await openSignedIn(browser, therapist);
	const [cookie] = (await context.cookies()).filter((c) => c.name === 'hearth_session');
	expect(cookie).toBeDefined();

	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/login$/);

	const replay = await browser.newContext();
	await replay.addCookies([cookie]);
	const replayPage = await replay.newPage();
	await replayPage.goto('/account');
	await expect(replayPage).toHaveURL(/\/login/);
	await replay.close();
	await context.close();
});

test('"sign out everywhere" ends the session on every device', async ({ browser }) => {
	const therapist = await createStaff(browser, 'Rowan');
	const phone = await openSignedIn(browser, therapist);
	const laptop = await openSignedIn(browser, therapist);

	await laptop.page.goto('/account');
	await expectAccessible(laptop.page);
	await screenshotBothWidths(laptop.page, 'account');
	const signedOut = laptop.page.waitForResponse((response) => response.request().method() === 'POST');
	await laptop.page.getByRole('button', { name: 'Sign out on all devices' }).click();
	expect((await (await signedOut).allHeaders())['clear-site-data']).toBe('"cache"');
	await expect(laptop.page).toHaveURL(/\/login$/);

	await phone.page.goto('/account');
	await expect(phone.page).toHaveURL(/\/login/);
	await phone.context.close();
	await laptop.context.close();
});

test('the practice page is calm and accessible', async ({ browser }) => {
	const { context, page } = await openSignedIn(browser, admin);
	await page.goto('/admin/staff');
	await expect(page.getByRole('heading', { name: 'Staff' })).toBeVisible();
	await expectAccessible(page);
	await screenshotBothWidths(page, 'practice');
	await context.close();
});

test('pages carry a strict content policy and are never cached', async ({ page }) => {
	const response = await page.goto('/login');
	const headers = response!.headers();
	expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
	expect(headers['content-security-policy']).toContain("script-src 'self'");
	expect(headers['cache-control']).toBe('no-store');
	expect(headers['referrer-policy']).toBe('same-origin');
	expect(headers['x-content-type-options']).toBe('nosniff');
});

test('a page that is not there says so calmly', async ({ browser }) => {
	const { context, page } = await openSignedIn(browser, admin);
	const response = await page.goto('/groups/nosuchgroupnosuchgroupabc');
	expect(response?.status()).toBe(404);
	await expect(page.getByRole('heading', { name: "This page isn't here" })).toBeVisible();
	await expectAccessible(page);
	await screenshotBothWidths(page, 'not-found');
	await context.close();
});

test('someone who already has an account signs in through an invitation and joins', async ({ browser }) => {
	test.setTimeout(120_000);
	// Sam joined one circle by invitation; the same therapist then invites Sam to a second one.
	const circle = await formCircle(browser, { name: 'First circle', facilitator: 'Quinn', members: ['Sam'] });
	const sam = circle.members[0].person;
	const secondGroupId = await formGroup(circle.facilitator.page, 'Second circle');
	const link = await invite(circle.facilitator.page, secondGroupId);

	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto(link);
	const signInForm = page.locator('form', { has: page.getByRole('button', { name: 'Sign in and continue' }) });
	await signInForm.getByLabel('Email').fill(sam.email);
	await signInForm.getByLabel('Password').fill('not my password');
	await signInForm.getByRole('button', { name: 'Sign in and continue' }).click();
	await expect(signInForm.getByRole('alert')).toContainText('did not match');

	await signInForm.getByLabel('Password').fill(sam.password);
	await signInForm.getByRole('button', { name: 'Sign in and continue' }).click();
	await expect(page.getByRole('heading', { name: 'Confidentiality agreement' })).toBeVisible();
	await page.getByLabel('I have read this agreement').check();
	await page.getByLabel('Type your name to sign').fill(sam.displayName);
	await page.getByRole('button', { name: 'Sign and join the group' }).click();
	await expect(page).toHaveURL(new RegExp(`/groups/${secondGroupId}$`));
	await expect(page.getByRole('heading', { name: 'Second circle' })).toBeVisible();
	await context.close();
	await circle.close();
});
