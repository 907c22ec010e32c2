import { expect, test } from '@playwright/test';
import { formCircle, openBoard, thread } from './support/circle';
import { expectAccessible, PHONE, screenshotBothWidths } from './support/look';
import { admin, createStaff, openSignedIn } from './support/people';

// Emergency access, step by step: the admin makes Lee a clinical lead; Lee, on a phone, opens Fran's group
// with a reason and her password, and reads Sam's post with no way to write; Fran sees who, why and until
// when in her staff space; Sam sees it under "Who has looked at your data"; Lee ends it and the board
// closes on her screen.

test('a clinical lead reads a board in an emergency; the facilitator and the member are told', async ({ browser }) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: 'Emergency circle', facilitator: 'Fran', members: ['Sam'] });
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const [sam] = circle.members.map((member) => member.page);
	const lead = await createStaff(browser, 'Lee');
	const words = 'I do not feel safe tonight and I have a plan.';
	const reason = 'Sam wrote that they have a plan tonight; Fran is not answering her phone.';
	try {
		await openBoard(sam, groupId);
		await sam.getByLabel('Share with the group').fill(words);
		await sam.getByRole('button', { name: 'Post to the group' }).click();
		await expect(sam.getByTestId('save-state')).toHaveText('Saved');

		// The admin marks Lee as a clinical lead on the staff page.
		const office = await openSignedIn(browser, admin);
		await office.page.goto('/admin/staff');
		const row = office.page.getByTestId('staff-row').filter({ hasText: lead.email });
		await row.getByRole('button', { name: 'Make clinical lead' }).click();
		await expect(office.page.getByText('Marked as a clinical lead.')).toBeVisible();
		await expect(row).toContainText('clinical lead');
		await office.context.close();

		// Lee, on her phone.
		const device = await openSignedIn(browser, lead);
		const lee = device.page;
		await lee.setViewportSize(PHONE);
		await lee.goto('/');
		await lee.getByRole('link', { name: 'Emergency access' }).click();
		await expect(lee.getByRole('heading', { name: 'Emergency access' })).toBeVisible();
		await lee.getByLabel('Group', { exact: true }).selectOption({ label: 'Emergency circle' });
		await lee.getByLabel('Why do you need to open it now?').fill(reason);
		await lee.getByLabel('Your password, to confirm').fill('not my password');
		await lee.getByRole('button', { name: /Open the board/ }).click();
		await expect(lee.getByText('Your current password did not match')).toBeVisible();
		// What she typed is kept, except the password.
		await expect(lee.getByLabel('Why do you need to open it now?')).toHaveValue(reason);
		await expectAccessible(lee);
		await screenshotBothWidths(lee, 'emergency-start');

		await lee.getByLabel('Your password, to confirm').fill(lead.password);
		await lee.getByRole('button', { name: /Open the board/ }).click();
		await expect(lee).toHaveURL(new RegExp(`/emergency/${groupId}$`));
		await expect(lee.getByTestId('emergency-notice')).toContainText('You cannot post or react');
		await expect(thread(lee, words)).toBeVisible();
		// Nothing to write with: no composer, no reply, no reactions, no moderation or flagging.
		await expect(lee.getByRole('button', { name: /Reply|Me too|Flag|Moderate|Post/ })).toHaveCount(0);
		await expect(lee.getByRole('textbox')).toHaveCount(0);
		// Nothing of hers is ever saved here, so the status says read-only rather than "Saved".
		await expect(lee.getByText('Read-only', { exact: true })).toBeVisible();
		await expect(lee.getByTestId('save-state')).toHaveCount(0);
		await expectAccessible(lee);
		await screenshotBothWidths(lee, 'emergency-board');

		// Fran: an alert, and the record with who and why, in her staff space.
		await fran.goto(`/groups/${groupId}/staff`);
		await expect(fran.getByText('1 new alert since you last looked.')).toBeVisible();
		const record = fran.getByTestId('emergency-record');
		await expect(record).toContainText('Lee');
		await expect(record).toContainText(reason);
		await expect(record).toContainText('Open now, read-only');
		await expectAccessible(fran);
		await screenshotBothWidths(fran, 'emergency-staff-record');

		// Sam: under "Who has looked at your data".
		await sam.goto('/account');
		await expect(sam.locator('#who-looked')).toContainText(
			"Lee opened the group's board in an emergency, as a clinical lead (read-only) (Emergency circle)"
		);

		// Lee ends it from another tab: the open board closes and says so.
		const second = await device.context.newPage();
		await second.goto('/emergency');
		await second.getByRole('button', { name: 'End now for Emergency circle' }).click();
		await expect(second.getByText('Emergency access ended.')).toBeVisible();
		await expect(lee.getByTestId('emergency-ended')).toBeVisible();
		await expect(thread(lee, words)).toHaveCount(0);
		await screenshotBothWidths(lee, 'emergency-ended');
		await expect(record).toContainText('Lee');
		await fran.reload();
		await expect(fran.getByTestId('emergency-record')).toContainText('Ended early');
		await device.context.close();
	} finally {
		await circle.close();
	}
});
