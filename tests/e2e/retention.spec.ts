import { expect, test } from '@playwright/test';
import { formCircle } from './support/circle';
import { expectAccessible, PHONE, screenshotBothWidths } from './support/look';
import { admin, openSignedIn } from './support/people';

// The practice decides how long an ended group's records are kept, and may hold a group's records
// past that time; the members read it in plain words on their agreement page. On a phone.

test('the admin sets the retention time and a legal hold; a member reads how long the board is kept', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const name = `Retention circle ${Math.random().toString(36).slice(2, 7)}`;
	const circle = await formCircle(browser, { name, facilitator: 'Robin', members: ['Ada'] });
	const [ada] = circle.members;
	const office = await openSignedIn(browser, admin);
	const page = office.page;
	try {
		await page.setViewportSize(PHONE);
		await page.goto('/admin/staff');
		await expect(page.getByRole('region', { name: 'Records of ended groups' })).toContainText('kept for 7 years');
		await screenshotBothWidths(page, 'retention-practice');
		await page.getByRole('link', { name: 'Retention and legal holds' }).click();
		await expect(page.getByRole('heading', { name: 'How long ended groups are kept' })).toBeVisible();
		// Retention is part of the Practice, and the main navigation says where the admin is.
		await expect(
			page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Practice' })
		).toHaveAttribute('aria-current', 'page');

		// A time Hearth does not allow is refused (the browser says so before the server has to), and nothing changes.
		const months = page.getByLabel('Months to keep an ended group’s records');
		await months.fill('1');
		await page.getByRole('button', { name: 'Save retention time' }).click();
		expect(await months.evaluate((input: HTMLInputElement) => input.validity.rangeUnderflow)).toBe(true);
		await page.reload();
		await expect(months).toHaveValue('84');

		await months.fill('24');
		await page.getByRole('button', { name: 'Save retention time' }).click();
		await expect(page.getByText('Saved. Ended groups’ records are now kept 2 years.')).toBeVisible();

		// A legal hold on the circle, with the reason the admin alone sees.
		const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
		await expect(row).toContainText('Still meeting');
		await row.getByText('Set a legal hold').click();
		await row.getByLabel('Why must these records be kept?').fill('Records request of 2 December');
		await row.getByRole('button', { name: 'Set the hold' }).click();
		await expect(page.getByText('The hold is set.')).toBeVisible();
		await expect(row).toContainText('On legal hold');
		await expect(row).toContainText('Records request of 2 December');
		await expectAccessible(page);
		await screenshotBothWidths(page, 'retention-admin');

		// The member reads it in plain words where the agreement is.
		await ada.page.setViewportSize(PHONE);
		await ada.page.goto(`/groups/${circle.groupId}/agreement`);
		const kept = ada.page.getByRole('region', { name: 'How long the circle’s board is kept' });
		await expect(kept).toContainText('for 2 years');
		await expect(kept).toContainText('longer only when the law requires it');
		await expect(kept.getByRole('link', { name: 'Account → Your data' })).toBeVisible();
		await expectAccessible(ada.page);
		await screenshotBothWidths(ada.page, 'retention-agreement');

		// Lifting the hold puts the group back on the clock.
		await row.getByRole('button', { name: /Lift the hold/ }).click();
		await expect(page.getByText('The hold is lifted.')).toBeVisible();
		await expect(row).toContainText('Still meeting');
	} finally {
		// Leave the installation's policy as the other journeys expect it.
		await page.goto('/admin/retention');
		await page.getByLabel('Months to keep an ended group’s records').fill('84');
		await page.getByRole('button', { name: 'Save retention time' }).click();
		await office.context.close();
		await circle.close();
	}
});
