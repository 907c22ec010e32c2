import { expect, test } from '@playwright/test';
import { formCircle, openBoard, thread } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// A facilitator (Fran) and two members (Sam, Alex), each on their own device: Alex flags Sam's post and it
// reaches Fran's review queue live; Fran hides it (it leaves Alex's board) and restores it; Fran removes
// it for good (a tombstone stays); Sam uses "Support" to message the facilitators, and Fran's open staff
// space shows it at once.

test('flag, hide, restore, remove for good and an urgent message, live across three people', async ({ browser }) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, {
		name: 'Moderation circle',
		facilitator: 'Fran',
		members: ['Sam', 'Alex']
	});
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const [sam, alex] = circle.members.map((member) => member.page);
	try {
		await openBoard(sam, groupId);
		await openBoard(alex, groupId);
		const words = 'Something Sam shared that worried Alex.';
		await sam.getByLabel('Share with the group').fill(words);
		await sam.getByRole('button', { name: 'Post to the group' }).click();
		await expect(sam.getByTestId('save-state')).toHaveText('Saved');
		await expect(thread(alex, words)).toBeVisible();

		// Alex says "me too" first: hiding and restoring the post must not lose it.
		await thread(alex, words).getByRole('button', { name: 'Me too' }).first().click();
		await expect(thread(sam, words).getByRole('list', { name: 'Reactions' }).first()).toContainText('Alex — me too');

		// The staff space is open on Fran's device while Alex flags the post.
		await fran.goto(`/groups/${groupId}/staff`);
		await expect(fran.getByRole('heading', { name: 'Review queue' })).toBeVisible();
		await expect(fran.getByTestId('review-queue')).toContainText('Nothing flagged');

		await thread(alex, words).getByRole('button', { name: 'Flag for facilitators' }).click();
		await thread(alex, words).getByLabel('What worries you?').fill('It sounded like Sam is not safe.');
		await thread(alex, words).getByRole('button', { name: 'Send to the facilitators' }).click();
		await expect(thread(alex, words)).toContainText('The facilitators will look at it');

		const flag = fran.getByTestId('flag').filter({ hasText: words });
		await expect(flag).toBeVisible();
		await expect(flag).toContainText('Flagged by Alex');
		await expect(flag).toContainText('It sounded like Sam is not safe.');
		await expectAccessible(fran);
		await screenshotBothWidths(fran, 'staff-space-queue');

		// Hide: the post leaves Alex's board at once and waits in the staff space.
		await flag.getByRole('button', { name: 'Hide post' }).click();
		await expect(thread(alex, words)).toHaveCount(0);
		await expect(thread(sam, words)).toHaveCount(0);
		const hidden = fran.getByTestId('hidden-post').filter({ hasText: words });
		await expect(hidden).toBeVisible();
		// The flag is dealt with, and the queue says how, instead of offering the same actions again.
		await expect(fran.getByTestId('flag')).toHaveCount(0);
		await expect(fran.getByTestId('resolved-flags')).toContainText('Flagged by Alex — hidden by you');
		await screenshotBothWidths(fran, 'staff-space-hidden');
		// Sam, the author, is told in the care space, and only there.
		await sam.goto(`/groups/${groupId}/care`);
		await expect(sam.getByTestId('moderation-notices')).toContainText('A facilitator hid one of your posts');
		await openBoard(sam, groupId);

		// Restore: it comes back for everyone.
		await hidden.getByRole('button', { name: 'Restore to the board' }).click();
		await expect(thread(alex, words)).toBeVisible();
		await expect(thread(sam, words).getByRole('list', { name: 'Reactions' }).first()).toContainText('Alex — me too');
		await expect(fran.getByTestId('hidden-post')).toHaveCount(0);

		// Alex replies, so the thread stays; then Fran removes the post for good from the board.
		await thread(alex, words).getByRole('button', { name: 'Reply to Sam' }).click();
		await thread(alex, words).getByLabel('Reply to Sam').fill('Sam, I am here if you want to talk.');
		await thread(alex, words).getByRole('button', { name: 'Reply', exact: true }).click();
		await expect(thread(sam, words).getByTestId('reply')).toContainText('I am here');

		await openBoard(fran, groupId);
		const franThread = thread(fran, words);
		await franThread.getByRole('button', { name: 'Moderate this post' }).first().click();
		await screenshotBothWidths(fran, 'board-moderate-tools');
		// Closing a thread to replies reaches Alex at once; reopening it too.
		await franThread.getByRole('button', { name: 'Close replies' }).click();
		await expect(thread(alex, words)).toContainText('This thread is closed to new replies.');
		await franThread.getByRole('button', { name: 'Reopen replies' }).click();
		await expect(thread(alex, words)).not.toContainText('This thread is closed to new replies.');
		// Pinning puts it first, for everyone, and says so.
		await franThread.getByRole('button', { name: 'Pin', exact: true }).click();
		await expect(alex.getByTestId('pinned')).toHaveText('Pinned by your facilitators');
		await expect(alex.getByTestId('thread').first()).toContainText(words);
		await franThread.getByRole('button', { name: 'Unpin' }).click();
		await expect(alex.getByTestId('pinned')).toHaveCount(0);
		await franThread.getByRole('button', { name: 'Remove for good' }).first().click();
		await franThread.getByLabel('Reason').selectOption('safety');
		await franThread.locator('form').getByRole('button', { name: 'Remove for good' }).click();
		for (const page of [alex, sam, fran]) {
			await expect(page.getByText('Removed by a facilitator')).toBeVisible();
			await expect(page.getByText(words)).toHaveCount(0);
		}
		await expectAccessible(alex);

		// A post nobody replied to leaves a note too, as the confirmation promises: it does not just vanish.
		const second = 'One more thing I wanted to say tonight.';
		await sam.getByLabel('Share with the group').fill(second);
		await sam.getByRole('button', { name: 'Post to the group' }).click();
		await expect(thread(fran, second)).toBeVisible();
		await thread(fran, second).getByRole('button', { name: 'Moderate this post' }).click();
		await thread(fran, second).getByRole('button', { name: 'Remove for good' }).first().click();
		await thread(fran, second).getByLabel('Reason').selectOption('privacy');
		await thread(fran, second).locator('form').getByRole('button', { name: 'Remove for good' }).click();
		for (const page of [alex, sam, fran]) {
			await expect(page.getByText('Removed by a facilitator')).toHaveCount(2);
			await expect(page.getByText(second)).toHaveCount(0);
		}

		// Support now: Sam messages the facilitators; Fran's open staff space shows it live.
		await fran.goto(`/groups/${groupId}/staff`);
		await expect(fran.getByTestId('urgent-messages')).toContainText('None right now');
		await sam.getByTestId('support-link').click();
		await expect(sam.getByRole('heading', { name: 'Support', level: 1 })).toBeVisible();
		await expect(sam.getByTestId('crisis-lines')).toContainText('988');
		await expect(sam.getByText('not watched around the clock')).toBeVisible();
		await expectAccessible(sam);
		await screenshotBothWidths(sam, 'support-panel');
		const urgent = 'I am struggling tonight and could use a call.';
		await sam.getByLabel('What is happening?').fill(urgent);
		await sam.getByRole('button', { name: 'Send to my facilitators' }).click();
		await expect(sam.getByText('Your facilitators have been alerted')).toBeVisible();

		const alert = fran.getByTestId('urgent-alert');
		await expect(alert).toContainText('From Sam');
		await expect(alert.getByTestId('urgent-body')).toHaveText(urgent);
		await expectAccessible(fran);
		await screenshotBothWidths(fran, 'staff-space-urgent');

		// Elsewhere in the group, the staff space tab says something is waiting (Alex's flag and Sam's message),
		// until Fran says she has seen it: opening the page (or hovering over its tab) marks nothing.
		await fran.goto(`/groups/${groupId}/board`);
		await expect(fran.getByRole('link', { name: /^Staff space \(2 new\)$/ })).toBeVisible();
		await fran.getByRole('link', { name: /^Staff space/ }).hover();
		await fran.getByRole('link', { name: /^Staff space/ }).click();
		await expect(fran.getByText('2 new alerts since you last looked.')).toBeVisible();
		await fran.reload();
		await expect(fran.getByRole('link', { name: /^Staff space \(2 new\)$/ })).toBeVisible();
		await fran.getByRole('button', { name: 'Mark as seen' }).click();
		await expect(fran.getByRole('link', { name: 'Staff space', exact: true })).toBeVisible();
		await expect(fran.getByText('since you last looked')).toHaveCount(0);

		// Members cannot reach the staff space by URL.
		const response = await alex.goto(`/groups/${groupId}/staff`);
		expect(response?.status()).toBe(404);

		// Opening the staff space is itself in the group's activity log, without any of its words.
		await fran.goto(`/groups/${groupId}/audit`);
		const events = fran.getByRole('list', { name: 'Audit events, newest first' });
		await expect(events.getByText('Staff space opened').first()).toBeVisible();
		await expect(fran.getByRole('main')).not.toContainText(urgent);

		// Fran opens Sam's private thread with the facilitators: Sam's account page says so, Alex's does not.
		await fran.goto(`/groups/${groupId}/care`);
		await fran.getByRole('link', { name: 'Open Sam’s care thread' }).click();
		await expect(fran.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
		await sam.goto('/account');
		const looked = sam.getByRole('region', { name: 'Who has looked at your data' });
		await expect(looked).toContainText('Fran opened your private messages with your facilitators (Moderation circle).');
		await expectAccessible(sam);
		await screenshotBothWidths(sam, 'account-who-looked');
		await alex.goto('/account');
		await expect(alex.getByRole('region', { name: 'Who has looked at your data' })).toContainText('Nobody has yet.');
	} finally {
		await circle.close();
	}
});
