import { expect, test, type Page } from '@playwright/test';
import { createStaff, openSignedIn, type Person } from './support/people';
import { formGroup, invite } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';
import { enrol, nextCode } from './support/second-factor';

async function enterPassword(page: Page, person: Person): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('Email').fill(person.email);
	await page.getByLabel('Password').fill(person.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/login$/);
}

/** Opens an invitation on a new device and signs in with the password there; returns the sign-in card. */
async function signInThroughInvitation(page: Page, link: string, person: Person) {
	await page.goto(link);
	const card = page.getByRole('region', { name: 'Already have an account?' });
	await card.getByLabel('Email').fill(person.email);
	await card.getByLabel('Password').fill(person.password);
	await card.getByRole('button', { name: 'Sign in and continue' }).click();
	return card;
}

async function useRecoveryCode(page: Page, code: string): Promise<void> {
	await page.getByText('No phone to hand? Use a recovery code').click();
	await page.getByLabel('Recovery code').fill(code);
	await page.getByRole('button', { name: 'Use recovery code' }).click();
}

test('a therapist sets up two-step sign-in at first sign-in, then signs in with a code or a recovery code', async ({
	browser,
	page
}) => {
	test.setTimeout(180_000);
	const therapist = await createStaff(browser, 'Emery');

	await enterPassword(page, therapist);
	await expect(page).toHaveURL(/\/login\/enrol$/);
	await expect(page.getByRole('img', { name: 'QR code to add Hearth to your authenticator app' })).toBeVisible();
	// The password alone opens nothing else.
	await page.goto('/account');
	await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
	await page.goto('/login/enrol');
	const recoveryCodes = await enrol(page, therapist.email);
	await page.getByRole('link', { name: 'I have saved them — continue' }).click();
	await expect(page.getByRole('heading', { name: `Hello, ${therapist.displayName}` })).toBeVisible();
	await signOut(page);

	// The code step: a wrong code is refused calmly, the one the app shows lets them in.
	await enterPassword(page, therapist);
	await expect(page).toHaveURL(/\/login\/code$/);
	await expectAccessible(page);
	await screenshotBothWidths(page, 'sign-in-code');
	await page.getByLabel('Code from your app').fill('000000');
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('alert').first()).toContainText('That code did not work');
	await page.getByLabel('Code from your app').fill(await nextCode(therapist.email));
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('heading', { name: `Hello, ${therapist.displayName}` })).toBeVisible();
	await signOut(page);

	// A recovery code works once.
	await enterPassword(page, therapist);
	await useRecoveryCode(page, recoveryCodes[0].toUpperCase());
	await expect(page.getByRole('heading', { name: `Hello, ${therapist.displayName}` })).toBeVisible();
	await signOut(page);
	await enterPassword(page, therapist);
	await useRecoveryCode(page, recoveryCodes[0]);
	await expect(page.getByText('That recovery code did not work, or it has been used already')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
	await page.getByLabel('Code from your app').fill(await nextCode(therapist.email));
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('heading', { name: `Hello, ${therapist.displayName}` })).toBeVisible();

	// Their account says so; staff cannot turn it off.
	await page.goto('/account');
	const section = page.getByRole('region', { name: 'Two-step sign-in' });
	await expect(section).toContainText('9 recovery codes left');
	await expect(section).toContainText('Required for staff accounts');
	await expect(section.getByRole('button', { name: 'Turn off' })).toHaveCount(0);
	await expectAccessible(page);
	await screenshotBothWidths(page, 'account-second-factor');
	await section.getByLabel('Current password').fill(therapist.password);
	await section.getByRole('button', { name: 'Make new recovery codes' }).click();
	await expect(section.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
});

test('an invitation does not skip the second factor for a staff account', async ({ browser }) => {
	test.setTimeout(180_000);
	const host = await openSignedIn(browser, await createStaff(browser, 'Harper'));
	const groupId = await formGroup(host.page, 'Co-facilitated circle');

	// A colleague who has set up their app signs in through an invitation: the code is asked there.
	const colleague = await createStaff(browser, 'Linden');
	await (await openSignedIn(browser, colleague)).context.close();
	const context = await browser.newContext();
	const page = await context.newPage();
	const signInCard = await signInThroughInvitation(page, await invite(host.page, groupId), colleague);
	await expect(signInCard.getByLabel('Code from your app')).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Confidentiality agreement' })).toHaveCount(0);
	await expectAccessible(page);
	await screenshotBothWidths(page, 'invite-code');
	const link = page.url();
	await page.goto('/');
	await expect(page).toHaveURL(/\/login$/);
	await page.goto(link);
	await signInCard.getByLabel('Code from your app').fill(await nextCode(colleague.email));
	await signInCard.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('heading', { name: 'Confidentiality agreement' })).toBeVisible();
	await context.close();

	// One who has not set it up yet is sent to set it up first.
	const newcomer = await createStaff(browser, 'Sasha');
	const other = await browser.newContext();
	const otherPage = await other.newPage();
	await signInThroughInvitation(otherPage, await invite(host.page, groupId), newcomer);
	await expect(otherPage).toHaveURL(/\/login\/enrol$/);
	await expect(otherPage.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
	await other.close();
	await host.context.close();
});
