import { expect, test } from '@playwright/test';
import { formGroup, invite, join, openBoard, thread } from './support/circle';
import { createStaff, newPerson, openSignedIn } from './support/people';
import { expectAccessible, screenshotBothWidths } from './support/look';

// Two members and their therapist, each on their own device, on one group's board: what one writes,
// the others see live — posts, replies, "me too", edits and deletions — and who is here now.

test('two members and a facilitator see each other’s posts, replies and reactions live', async ({ browser }) => {
	test.setTimeout(180_000);
	const franAccount = await createStaff(browser, 'Fran');
	const fran = (await openSignedIn(browser, franAccount)).page;
	const groupId = await formGroup(fran, 'Thursday circle');
	const [samLink, alexLink] = [await invite(fran, groupId), await invite(fran, groupId)];
	const samPerson = newPerson('Sam');
	const alexPerson = newPerson('Alex');
	const sam = (await join(browser, samLink, samPerson)).page;
	const alex = (await join(browser, alexLink, alexPerson)).page;

	await sam.getByRole('link', { name: 'Open the board' }).click();
	await expect(sam.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
	await openBoard(alex, groupId);
	await openBoard(fran, groupId);
	await expect(sam.getByText('Nothing here yet.')).toBeVisible();

	// Who is here now: names come from the server, each person once.
	for (const [page, others] of [
		[sam, ['Alex', 'Fran']],
		[alex, ['Sam', 'Fran']],
		[fran, ['Sam', 'Alex']]
	] as const) {
		for (const name of others) await expect(page.getByTestId('presence')).toContainText(name);
	}

	// Sam posts; Alex and Fran see it without reloading, and Alex's screen reader hears about it.
	const first = 'Arriving a bit nervous, and glad to be here.';
	await sam.getByLabel('Share with the group').fill(first);
	await sam.getByRole('button', { name: 'Post to the group' }).click();
	await expect(sam.getByLabel('Share with the group')).toHaveValue('');
	await expect(sam.getByTestId('save-state')).toHaveText('Saved');
	await expect(thread(alex, first)).toBeVisible();
	await expect(thread(fran, first)).toBeVisible();
	await expect(alex.getByTestId('announcer')).toHaveText('New post from Sam.');

	// Alex replies; Fran says "me too"; everyone sees both.
	await thread(alex, first).getByRole('button', { name: 'Reply to Sam' }).click();
	await thread(alex, first).getByLabel('Reply to Sam').fill('Me too — it is my first circle as well.');
	await thread(alex, first).getByRole('button', { name: 'Reply', exact: true }).click();
	await expect(thread(sam, first).getByTestId('reply')).toContainText('it is my first circle as well');
	await expect(thread(fran, first).getByTestId('reply')).toContainText('it is my first circle as well');

	const meToo = thread(fran, first).getByRole('button', { name: 'Me too' }).first();
	await meToo.click();
	await expect(meToo).toHaveAttribute('aria-pressed', 'true');
	await expect(thread(sam, first).getByRole('list', { name: 'Reactions' }).first()).toContainText('Fran — me too');
	await expect(thread(alex, first).getByRole('list', { name: 'Reactions' }).first()).toContainText('Fran — me too');

	// Only the author can edit or delete; the edit reaches everyone.
	await expect(thread(alex, first).getByRole('button', { name: 'Edit your post' })).toHaveCount(1); // Alex's reply
	// While editing, the words are in the box rather than the thread's text: hold on to the thread itself.
	const samsThread = sam.getByTestId('thread').first();
	await samsThread.getByRole('button', { name: 'Edit your post' }).click();
	const edited = 'Arriving nervous — and glad to be here with you all.';
	await samsThread.getByLabel('Edit your post').fill(edited);
	await samsThread.getByRole('button', { name: 'Save changes' }).click();
	await expect(thread(alex, edited)).toContainText('edited');
	await expect(fran.getByText(first)).toHaveCount(0);

	await expectAccessible(alex);
	await screenshotBothWidths(alex, 'board-member');
	await expectAccessible(fran);
	await screenshotBothWidths(fran, 'board-facilitator');

	// The board is stored: a reload shows the same conversation.
	await alex.reload();
	await expect(thread(alex, edited).getByTestId('reply')).toContainText('it is my first circle as well');

	// Sam deletes the post: with a reply under it, a tombstone keeps the thread; the words are gone.
	await thread(sam, edited).getByRole('button', { name: 'Delete your post' }).click();
	await sam.getByRole('button', { name: 'Delete', exact: true }).click();
	for (const page of [sam, alex, fran]) {
		await expect(page.getByText('Removed by its author')).toBeVisible();
		await expect(page.getByText(edited)).toHaveCount(0);
	}
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'board-after-delete');

	// Muting reaches Alex's open board at once: it turns read-only without a reload, and back.
	await fran.goto(`/groups/${groupId}/members`);
	await fran.getByRole('button', { name: 'Mute Alex' }).click();
	await expect(alex.getByText('Posting is paused for you')).toBeVisible();
	await expect(alex.getByLabel('Share with the group')).toHaveCount(0);
	await alex.emulateMedia({ colorScheme: 'dark' });
	await expectAccessible(alex);
	await screenshotBothWidths(alex, 'board-muted-dark');
	await alex.emulateMedia({ colorScheme: 'light' });
	await fran.getByRole('button', { name: 'Unmute Alex' }).click();
	await expect(alex.getByLabel('Share with the group')).toBeVisible();
});
