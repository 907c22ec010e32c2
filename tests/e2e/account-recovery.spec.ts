import { expect, test, type Page } from '@playwright/test';
import { admin, createStaff, openSignedIn, type Person } from './support/people';
import { expectAccessible, screenshotBothWidths } from './support/look';
import { formCircle } from './support/circle';
import { enrol, nextCode } from './support/second-factor';

async function enterPassword(page: Page, person: Pick<Person, 'email' | 'password'>): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('Email').fill(person.email);
	await page.getByLabel('Password').fill(person.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The admin's staff list row for `person`, its "Locked out?" choices open. */
async function openRecovery(page: Page, person: Person) {
	await page.goto('/admin/staff');
	const row = page.getByTestId('staff-row').filter({ hasText: person.email });
	await row.getByText('Locked out?').click();
	return row;
}

test('the admin makes a reset link; the therapist sets a new password elsewhere, is signed out everywhere and still gives a code', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const therapist = await createStaff(browser, 'Linden');
	const therapistDevice = await openSignedIn(browser, therapist);
	const adminDevice = await openSignedIn(browser, admin);

	const row = await openRecovery(adminDevice.page, therapist);
	await expect(row.getByText('Two-step sign-in on')).toBeVisible();
	await row.getByRole('button', { name: `Make a password reset link for ${therapist.displayName}` }).click();
	const link = await adminDevice.page.getByTestId('reset-link').inputValue();
	expect(link).toMatch(/\/reset\/[a-z2-7]{32}$/);
	await expect(adminDevice.page.getByText('It works once, for 60 minutes')).toBeVisible();
	await expectAccessible(adminDevice.page);
	await screenshotBothWidths(adminDevice.page, 'admin-reset-link');

	// The therapist opens it on another device (another browser context), signed in to nothing.
	const elsewhere = await browser.newContext();
	const page = await elsewhere.newPage();
	const opened = await page.goto(link);
	expect(opened?.headers()['referrer-policy']).toBe('same-origin');
	await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
	await expectAccessible(page);
	await screenshotBothWidths(page, 'reset-password');

	// A common password is refused, and the link still works afterwards.
	await page.getByLabel('New password', { exact: true }).fill('password1234');
	await page.getByLabel('New password, again').fill('password1234');
	await page.getByRole('button', { name: 'Set my new password' }).click();
	await expect(page.getByText('That password is too easy to guess')).toBeVisible();

	const renewed = { email: therapist.email, password: 'lanterns over the quiet harbour' };
	await page.getByLabel('New password', { exact: true }).fill(renewed.password);
	await page.getByLabel('New password, again').fill(renewed.password);
	await page.getByRole('button', { name: 'Set my new password' }).click();
	await expect(page.getByRole('heading', { name: 'Your new password is set' })).toBeVisible();
	await screenshotBothWidths(page, 'reset-password-done');

	// The device signed in with the old password is signed out.
	await therapistDevice.page.goto('/account');
	await expect(therapistDevice.page).toHaveURL(/\/login\?next=%2Faccount$/);

	// The link works once.
	await page.goto(link);
	await expect(page.getByRole('heading', { name: 'This link cannot be used' })).toBeVisible();
	await expect(page.getByText('This link has been used already.')).toBeVisible();
	await screenshotBothWidths(page, 'reset-password-used');

	// The old password no longer works; the new one leads to the code step, not straight in.
	await enterPassword(page, therapist);
	await expect(page.getByText('That email and password did not match.')).toBeVisible();
	await enterPassword(page, renewed);
	await expect(page).toHaveURL(/\/login\/code$/);
	await page.goto('/account');
	await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
	await enterPassword(page, renewed);
	await page.getByLabel('Code from your app').fill(await nextCode(therapist.email));
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

	await Promise.all([elsewhere.close(), therapistDevice.context.close(), adminDevice.context.close()]);
});

test('the admin resets a lost second factor: the therapist is signed out and sets up a new one at the next sign-in', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const therapist = await createStaff(browser, 'Rowan');
	const therapistDevice = await openSignedIn(browser, therapist);
	const adminDevice = await openSignedIn(browser, admin);

	const row = await openRecovery(adminDevice.page, therapist);
	await row.getByRole('button', { name: `Reset two-step sign-in for ${therapist.displayName}` }).click();
	await expect(adminDevice.page.getByText('Two-step sign-in is reset')).toBeVisible();
	await expect(
		adminDevice.page.getByTestId('staff-row').filter({ hasText: therapist.email }).getByText('not set up yet')
	).toBeVisible();

	await therapistDevice.page.goto('/account');
	await expect(therapistDevice.page).toHaveURL(/\/login\?next=%2Faccount$/);
	await enterPassword(therapistDevice.page, therapist);
	await expect(therapistDevice.page).toHaveURL(/\/login\/enrol$/);
	await enrol(therapistDevice.page, therapist.email);
	await therapistDevice.page.getByRole('link', { name: 'I have saved them — continue' }).click();
	await expect(therapistDevice.page.getByRole('button', { name: 'Sign out' })).toBeVisible();

	await adminDevice.page.goto('/admin/staff');
	await expect(
		adminDevice.page.getByTestId('staff-row').filter({ hasText: therapist.email }).getByText('Two-step sign-in on')
	).toBeVisible();
	await Promise.all([therapistDevice.context.close(), adminDevice.context.close()]);
});

test('the admin’s “help someone back in” form says when no account uses an email address', async ({ browser }) => {
	test.setTimeout(120_000);
	const adminDevice = await openSignedIn(browser, admin);
	await adminDevice.page.goto('/admin/staff');
	const help = adminDevice.page.getByRole('region', { name: 'Help someone back in' });
	await help.getByLabel('Their account’s email').fill('nobody.here@people.test');
	await help.getByRole('button', { name: 'Make a password reset link' }).click();
	await expect(adminDevice.page.getByText('No account uses that email address.')).toBeVisible();
	await screenshotBothWidths(adminDevice.page, 'admin-staff-recovery');
	await adminDevice.context.close();
});

test('a facilitator makes a reset link for a member of their group; the member sets a new password and signs in', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Tuesday circle', facilitator: 'Hazel', members: ['Wren'] });
	const [wren] = circle.members;
	const { page } = circle.facilitator;

	await page.goto(`/groups/${circle.groupId}/members`);
	const row = page.getByRole('listitem').filter({ hasText: wren.person.displayName });
	await row.getByText('Locked out?').click();
	await row.getByRole('button', { name: `Make a reset link for ${wren.person.displayName}` }).click();
	const link = await page.getByTestId('reset-link').inputValue();
	await expect(page.getByLabel(`Reset link for ${wren.person.displayName} — shown only now`)).toHaveValue(link);
	await expectAccessible(page);
	await screenshotBothWidths(page, 'members-reset-link');

	const elsewhere = await browser.newContext();
	const phone = await elsewhere.newPage();
	await phone.goto(link);
	await expect(phone.getByText('At least 10 characters — a short phrase works well.')).toBeVisible();
	const renewed = { email: wren.person.email, password: 'the river bends slowly' };
	await phone.getByLabel('New password', { exact: true }).fill(renewed.password);
	await phone.getByLabel('New password, again').fill(renewed.password);
	await phone.getByRole('button', { name: 'Set my new password' }).click();
	await expect(phone.getByRole('heading', { name: 'Your new password is set' })).toBeVisible();

	// Wren's own device was signed out; the new password works on the other one.
	await wren.page.goto('/account');
	await expect(wren.page).toHaveURL(/\/login\?next=%2Faccount$/);
	await enterPassword(phone, renewed);
	await expect(phone.getByRole('button', { name: 'Sign out' })).toBeVisible();
	await elsewhere.close();
	await circle.close();
});
