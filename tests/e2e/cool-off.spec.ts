import { expect, test } from '@playwright/test';
import { formCircle, recordFrames, openBoard, thread } from './support/circle';
import { PHONE, expectAccessible, screenshotBothWidths } from './support/look';

// Cool-off after a journey, on phones: the facilitator sets 24 hours and a journey has just taken place.
// Sam's post to the group is held in Sam's journal ("Read it once more before it is shared"), Alex never
// sees it — not on the page, not in a byte their browser receives — and the facilitator learns only how
// many posts wait. When the cool-off is over (the journey moved back in the schedule), Sam shares it on
// purpose, and only then Alex sees it. On the way, leaving the board with unsaved words asks first.

const HELD = 'Everything feels enormous and I want to tell you all at once.';

/** A date and time in the circle's zone (Europe/Berlin), as the schedule form takes them. */
function inBerlin(instant: number): { date: string; time: string } {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-CA', {
			timeZone: 'Europe/Berlin',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23'
		})
			.formatToParts(new Date(instant))
			.map((part) => [part.type, part.value])
	);
	return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

test('a post during the cool-off is held for its author, shared on purpose, and seen by others only then', async ({
	browser
}) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: 'Cool-off circle', facilitator: 'Fran', members: ['Sam', 'Alex'] });
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const [sam, alex] = circle.members.map((m) => m.page);
	for (const page of [sam, alex, fran]) await page.setViewportSize(PHONE);
	const alexFrames = recordFrames(alex);

	// Fran turns the cool-off on and records a journey that started an hour ago.
	await fran.goto(`/groups/${groupId}/schedule`);
	const coolOff = fran.getByTestId('cool-off');
	await expect(coolOff).toContainText('Off.');
	await coolOff.getByLabel('How long').selectOption({ label: '24 hours' });
	await coolOff.getByRole('button', { name: 'Save' }).click();
	await expect(coolOff.getByText('Saved.')).toBeVisible();
	const started = inBerlin(Date.now() - 60 * 60 * 1000);
	const add = fran.locator('form[action="?/addSession"]');
	await add.getByLabel('Kind').selectOption({ label: 'Journey' });
	await add.getByLabel('Date').fill(started.date);
	await add.getByLabel('Time').fill(started.time);
	await add.getByRole('button', { name: 'Add' }).click();
	await expect(fran.getByText('Session added.')).toBeVisible();
	await expect(coolOff).toContainText('The cool-off is on now');

	// Sam writes to the group: the composer says what will happen, and the words wait in Sam's journal.
	await openBoard(sam, groupId);
	await openBoard(alex, groupId);
	const composer = sam.getByTestId('insight-composer');
	await expect(composer.getByTestId('cool-off-note')).toContainText('Read it once more before it is shared.');
	await sam.getByLabel('Share with the group').fill(HELD);
	await composer.getByRole('button', { name: 'Hold it for now' }).click();
	await expect(composer.getByTestId('sent-message')).toContainText('Held in your journal');
	const held = sam.getByTestId('held-post').filter({ hasText: HELD });
	await expect(held).toBeVisible();
	await expect(held.getByRole('button', { name: 'Share with the group' })).toBeDisabled();
	await expect(sam.getByTestId('held-posts')).toContainText('You can share them with the group after');
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'cool-off-held');

	// The facilitator sees how many posts wait, never the words.
	await fran.reload();
	await expect(fran.getByTestId('posts-waiting')).toContainText('1 post is waiting');
	await expect(fran.getByTestId('posts-waiting')).toContainText('Sam (1)');
	await expect(fran.getByText(HELD)).toHaveCount(0);
	await screenshotBothWidths(fran, 'cool-off-facilitator');

	// Leaving the board with words in the box asks first; staying keeps them.
	await sam.getByLabel('Share with the group').fill('Half a thought');
	sam.once('dialog', (dialog) => {
		expect(dialog.message()).toContain('not saved yet');
		void dialog.dismiss();
	});
	await sam.getByRole('navigation', { name: 'Group' }).getByRole('link', { name: 'Journal' }).click();
	await expect(sam.getByLabel('Share with the group')).toHaveValue('Half a thought');
	await expect(sam).toHaveURL(/\/board/);
	await sam.getByLabel('Share with the group').fill('');

	// The held post is in Sam's journal too, and sharing a journal entry with the group waits as well.
	await sam.getByRole('navigation', { name: 'Group' }).getByRole('link', { name: 'Journal' }).click();
	await expect(sam.getByTestId('held-post').filter({ hasText: HELD })).toBeVisible();

	// The cool-off is over: Fran moves the journey three days back.
	await fran.goto(`/groups/${groupId}/schedule`);
	const journey = fran.locator('details').filter({ has: fran.locator('summary', { hasText: 'Journey 5' }) });
	await journey.locator('summary').click();
	const earlier = inBerlin(Date.now() - 72 * 60 * 60 * 1000);
	await journey.getByLabel('Date').fill(earlier.date);
	await journey.getByLabel('Time').fill(earlier.time);
	await journey.getByRole('button', { name: 'Save' }).click();
	await expect(journey.getByText('Saved.')).toBeVisible();
	await expect(fran.getByTestId('cool-off')).not.toContainText('The cool-off is on now');

	// Nothing of it has reached Alex yet.
	await expect(thread(alex, HELD)).toHaveCount(0);
	expect(alexFrames.some((frame) => frame.includes(HELD))).toBe(false);

	// Sam shares it on purpose, and only then Alex sees it.
	await openBoard(sam, groupId);
	const waiting = sam.getByTestId('held-post').filter({ hasText: HELD });
	await expect(sam.getByTestId('held-posts')).toContainText('The cool-off has ended');
	await waiting.getByRole('button', { name: 'Share with the group' }).click();
	await expect(sam.getByTestId('held-posts')).toContainText('Shared with the group.');
	await expect(waiting).toHaveCount(0);
	await expect(thread(alex, HELD)).toBeVisible();
	await expect(thread(sam, HELD)).toBeVisible();
	await screenshotBothWidths(sam, 'cool-off-shared');

	// Nothing waits any more.
	await fran.reload();
	await expect(fran.getByTestId('posts-waiting')).toHaveCount(0);
	await circle.close();
});
