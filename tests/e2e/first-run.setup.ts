import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { SETUP_CODE_FILE } from '../support/e2e-setup-code.js';
import { admin, ADMIN_DEVICE_FILE } from './support/people';
import { expectAccessible, screenshotBothWidths } from './support/look';
import { enrol, forgetSecondFactors } from './support/second-factor';

// Runs once, first, against a brand-new installation: every other journey signs in as this admin.
test('the first visit sets up the practice admin, and setup closes behind it', async ({ page, context }) => {
	// Two submissions, an accessibility scan and screenshots: ~18 s on a quiet machine, over 30 s on a busy one.
	test.setTimeout(120_000);
	forgetSecondFactors();
	fs.rmSync(ADMIN_DEVICE_FILE, { force: true });
	await page.goto('/');
	await expect(page).toHaveURL(/\/setup$/);
	await expect(page.getByRole('heading', { name: 'Welcome to Hearth' })).toBeVisible();
	await expectAccessible(page);
	await screenshotBothWidths(page, 'setup');

	// Only someone who can read the server's console may create the admin: a wrong code is refused.
	const setupCode = fs.readFileSync(SETUP_CODE_FILE, 'utf8').trim();
	await page.getByLabel('Setup code').fill('ABCDE-FGHJK');
	await page.getByLabel('Your name').fill(admin.displayName);
	await page.getByLabel('Email').fill(admin.email);
	await page.getByLabel('Password').fill(admin.password);
	await page.getByRole('button', { name: 'Create the practice account' }).click();
	await expect(page.getByText('That setup code is not right')).toBeVisible();
	await expect(page).toHaveURL(/\/setup$/);

	// Typed as a person might: lower case, without the dash.
	await page.getByLabel('Setup code').fill(setupCode.replace('-', '').toLowerCase());
	await page.getByLabel('Your name').fill(admin.displayName);
	await page.getByLabel('Email').fill(admin.email);
	await page.getByLabel('Password').fill('short');
	await page.getByRole('button', { name: 'Create the practice account' }).click();
	// The browser's own check stops a short password; the server check is covered by integration tests.
	await expect(page).toHaveURL(/\/setup$/);

	await page.getByLabel('Password').fill(admin.password);
	await page.getByRole('button', { name: 'Create the practice account' }).click();

	// The admin sets up two-step sign-in before anything else: there is no session until then.
	await expect(page).toHaveURL(/\/login\/enrol$/);
	expect((await context.cookies()).find((c) => c.name === 'hearth_session')).toBeUndefined();
	await expect(page.getByRole('img', { name: 'QR code to add Hearth to your authenticator app' })).toBeVisible();
	await expectAccessible(page);
	await screenshotBothWidths(page, 'enrol');
	const recoveryCodes = await enrol(page, admin.email);
	expect(recoveryCodes).toHaveLength(10);
	await expectAccessible(page);
	await screenshotBothWidths(page, 'enrol-recovery-codes');
	await page.getByRole('link', { name: 'I have saved them — continue' }).click();
	await expect(page.getByRole('heading', { name: 'Your practice' })).toBeVisible();
	expect((await context.cookies()).find((c) => c.name === 'hearth_session')?.httpOnly).toBe(true);
	await context.storageState({ path: ADMIN_DEVICE_FILE });

	const other = await context.browser()!.newContext();
	const stranger = await other.newPage();
	await stranger.goto('/setup');
	await expect(stranger).toHaveURL(/\/login$/);
	await other.close();
});
