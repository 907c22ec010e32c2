import { expect, test, type Page } from '@playwright/test';
import { formCircle, openBoard, thread } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// A board that stays small: once a session is over and a few weeks have passed, its threads are put
// away in the session's archive when nobody has the board open. The board then opens without them, and
// the session's tab opens its archive, where the threads still take replies.

/** Moves a session to `daysAgo` days before today and marks it done, on the schedule page. */
async function moveIntoThePast(page: Page, groupId: string, label: string, daysAgo: number): Promise<void> {
	await page.goto(`/groups/${groupId}/schedule`);
	const details = page.locator('details').filter({ has: page.locator('summary', { hasText: label }) });
	await details.locator('summary').click();
	const form = details.locator('form');
	const date = new Date(Date.now() - daysAgo * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
	await form.locator('input[name="date"]').fill(date);
	await form.getByLabel('State').selectOption({ label: 'Done' });
	await form.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByText('Saved.')).toBeVisible();
}

test('a finished session is put away and still opens, with its threads taking replies', async ({ browser }) => {
	// The board unloads 30 s after its last visitor; archiving happens then.
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: 'Tuesday circle', facilitator: 'Robin', members: ['Ada'] });
	const [ada] = circle.members;
	const robin = circle.facilitator;
	try {
		// Before the first preparation session, Ada shares; it belongs to that session.
		await openBoard(ada.page, circle.groupId);
		const words = 'What I hope to find in this circle is some quiet.';
		await ada.page.getByLabel('Share with the group').fill(words);
		await ada.page.getByRole('button', { name: 'Post to the group' }).click();
		await expect(ada.page.getByTestId('save-state')).toHaveText('Saved');
		await expect(thread(ada.page, words)).toBeVisible();
		const href = await ada.page
			.getByTestId('session-switcher')
			.getByRole('link', { name: /Preparation 1/ })
			.getAttribute('href');
		const sessionId = /session=([a-z2-7]+)/.exec(href ?? '')![1];

		// The session is long over. Everyone leaves the board; it is put away once the board unloads.
		await moveIntoThePast(robin.page, circle.groupId, 'Preparation 1', 40);
		await ada.page.goto(`/groups/${circle.groupId}`);
		// Asked without opening the board (which would keep it loaded): the page's data names the archive.
		await expect
			.poll(
				async () =>
					(await ada.page.request.get(`/groups/${circle.groupId}/board/__data.json?session=${sessionId}`)).text(),
				{
					timeout: 120_000,
					intervals: [2_000]
				}
			)
			.toContain(`archive:${circle.groupId}:${sessionId}`);

		// The session's tab shows the archive and its thread; no new thread starts there.
		await openBoard(ada.page, circle.groupId, `?session=${sessionId}`);
		await expect(ada.page.getByTestId('archived')).toBeVisible();
		await expect(thread(ada.page, words)).toBeVisible();
		await expect(ada.page.getByLabel('Share with the group')).toHaveCount(0);

		// A reply still reaches the facilitator, who opens the same archive.
		await thread(ada.page, words).getByRole('button', { name: 'Reply to Ada' }).click();
		await thread(ada.page, words).getByLabel('Reply to Ada').fill('Looking back, I found some.');
		await thread(ada.page, words).getByRole('button', { name: 'Reply', exact: true }).click();
		await expect(ada.page.getByTestId('save-state')).toHaveText('Saved');
		await openBoard(robin.page, circle.groupId);
		await robin.page
			.getByTestId('session-switcher')
			.getByRole('link', { name: /Preparation 1/ })
			.click();
		await expect(thread(robin.page, words).getByTestId('reply')).toContainText('I found some');

		// Today's circle no longer carries it.
		await ada.page.getByRole('link', { name: 'today’s circle' }).click();
		await expect(ada.page.getByTestId('archived')).toHaveCount(0);
		await expect(ada.page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
		await expect(thread(ada.page, words)).toHaveCount(0);

		await ada.page
			.getByTestId('session-switcher')
			.getByRole('link', { name: /Preparation 1/ })
			.click();
		await expect(ada.page.getByTestId('archived')).toBeVisible();
		await expectAccessible(ada.page);
		await screenshotBothWidths(ada.page, 'board-archived-session');
	} finally {
		await circle.close();
	}
});
