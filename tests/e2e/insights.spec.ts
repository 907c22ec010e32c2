import { expect, test, type Page } from '@playwright/test';
import { formCircle, recordFrames, thread } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// After a journey: Sam shares one insight with the whole circle and one with the facilitators only.
// Alex must see the first and never the second — not on the page, and not in any byte their browser
// receives. Fran, the facilitator, sees both. Replies and "me too" travel live; Alex shares a journal
// entry with the group on purpose, after being told exactly who will read it.

const SHARED = 'The music felt like being held by the whole room.';
const SECRET = 'I did not tell the group how afraid I was of losing control.';

/** Opens a live page (board, journal, care) and waits until its document is connected. */
async function openLive(page: Page, path: string): Promise<void> {
	await page.goto(path);
	await expect(page.getByRole('status').filter({ hasText: 'Live' }).first()).toBeVisible();
}

test('insights go only to the audience their author chose; replies, "me too" and journal shares are live', async ({
	browser
}) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: 'Thursday circle', facilitator: 'Fran', members: ['Sam', 'Alex'] });
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const [sam, alex] = circle.members.map((m) => m.page);
	const alexFrames = recordFrames(alex);

	for (const page of [sam, alex, fran]) await openLive(page, `/groups/${groupId}/board`);

	// Sam writes an insight for the group, with an integration prompt. The audience is visible before posting.
	const composer = sam.getByTestId('insight-composer');
	await expect(composer.getByTestId('audience-sentence')).toHaveText('Everyone in this circle will see this.');
	await composer.getByRole('button', { name: 'What came up for me' }).click();
	await sam.getByLabel('Share with the group').fill(SHARED);
	await composer.getByRole('button', { name: 'Post to the group' }).click();
	await expect(sam.getByLabel('Share with the group')).toHaveValue('');
	await expect(thread(alex, SHARED)).toBeVisible();
	await expect(thread(alex, SHARED).getByTestId('post-prompt')).toHaveText('What came up for me');
	await expect(thread(fran, SHARED)).toBeVisible();

	// Bad input: nothing is written, the words stay, the message is kind.
	await composer.getByRole('button', { name: 'Post to the group' }).click();
	await expect(composer.getByRole('alert')).toHaveText('Write something first.');
	const tooLong = 'a'.repeat(4010);
	await sam.getByLabel('Share with the group').fill(tooLong);
	await composer.getByRole('button', { name: 'Post to the group' }).click();
	await expect(composer.getByRole('alert')).toContainText('10 characters over');
	await expect(sam.getByLabel('Share with the group')).toHaveValue(tooLong);

	// Then one for the facilitators only: the choice changes the sentence, the label and the button.
	await composer.getByText('Facilitators', { exact: true }).click();
	await expect(composer.getByTestId('audience-sentence')).toHaveText('Only your facilitators will see this.');
	await sam.getByLabel('Write to your facilitators').fill(SECRET);
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'insight-composer');
	await composer.getByRole('button', { name: 'Send to facilitators' }).click();
	await expect(composer.getByTestId('sent-message')).toContainText('Sent to your facilitators only');
	await expect(sam.getByLabel('Write to your facilitators')).toHaveValue('');

	// Alex replies to the shared insight and says "me too"; everyone sees both live, and Sam is gently told.
	await thread(alex, SHARED).getByRole('button', { name: 'Reply to Sam' }).click();
	await thread(alex, SHARED).getByLabel('Reply to Sam').fill('Same here — the second song especially.');
	await thread(alex, SHARED).getByRole('button', { name: 'Reply', exact: true }).click();
	await thread(alex, SHARED).getByRole('button', { name: 'Me too' }).first().click();
	for (const page of [sam, fran]) {
		await expect(thread(page, SHARED).getByTestId('reply')).toContainText('the second song especially');
		await expect(thread(page, SHARED).getByRole('list', { name: 'Reactions' }).first()).toContainText('Alex — me too');
	}
	await expect(sam.getByTestId('resonance')).toContainText('Alex said “me too” to what you shared.');
	await screenshotBothWidths(sam, 'insight-resonance');

	// Fran starts a reply; Sam deletes the post meanwhile. Fran is told kindly, and the words stay in the box.
	const draft = 'I wonder what the music reminded you of.';
	await thread(fran, SHARED).getByRole('button', { name: 'Reply to Sam' }).click();
	await thread(fran, SHARED).getByLabel('Reply to Sam').fill(draft);
	await thread(sam, SHARED).getByRole('button', { name: 'Delete your post' }).click();
	await sam.getByRole('button', { name: 'Delete', exact: true }).click();
	const removed = fran.getByTestId('thread').filter({ hasText: 'Removed by its author' });
	await expect(removed).toBeVisible();
	await removed.getByRole('button', { name: 'Reply', exact: true }).click();
	await expect(removed.getByRole('alert')).toContainText('has been deleted');
	await expect(removed.getByRole('textbox')).toHaveValue(draft);

	// The same when the post had no replies and leaves the board entirely: the words are kept beside it.
	const brief = 'Quick one: thank you all for tonight.';
	await sam.getByTestId('insight-composer').getByText('The group', { exact: true }).click();
	await sam.getByLabel('Share with the group').fill(brief);
	await sam.getByTestId('insight-composer').getByRole('button', { name: 'Post to the group' }).click();
	const unsent = 'It meant a lot to hear that.';
	await thread(fran, brief).getByRole('button', { name: 'Reply to Sam' }).click();
	await thread(fran, brief).getByLabel('Reply to Sam').fill(unsent);
	await thread(sam, brief).getByRole('button', { name: 'Delete your post' }).click();
	await sam.getByRole('button', { name: 'Delete', exact: true }).click();
	await expect(fran.getByText(brief)).toHaveCount(0);
	await expect(fran.getByTestId('orphaned-reply')).toContainText('your reply was not posted');
	await expect(fran.getByTestId('orphaned-reply').getByRole('textbox')).toHaveValue(unsent);

	// Fran, a facilitator, reads Sam's words in Sam's care thread and answers there.
	await fran.goto(`/groups/${groupId}/care`);
	await fran.getByRole('link', { name: /Sam/ }).click();
	await expect(fran.getByRole('status').filter({ hasText: 'Live' }).first()).toBeVisible();
	await expect(thread(fran, SECRET)).toBeVisible();
	await thread(fran, SECRET).getByRole('button', { name: 'Reply to Sam' }).click();
	await thread(fran, SECRET).getByLabel('Reply to Sam').fill('Thank you for trusting us with this.');
	await thread(fran, SECRET).getByRole('button', { name: 'Reply', exact: true }).click();
	await expectAccessible(fran);
	await screenshotBothWidths(fran, 'care-facilitator');

	await openLive(sam, `/groups/${groupId}/care`);
	await expect(thread(sam, SECRET).getByTestId('reply')).toContainText('Thank you for trusting us');
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'care-member');

	// Alex keeps an entry in the journal, then shares it with the group on purpose.
	const entry = 'Walking home I noticed I was not bracing anymore.';
	await openLive(alex, `/groups/${groupId}/journal`);
	await alex.getByLabel('Write in your journal').fill(entry);
	await alex.getByRole('button', { name: 'Keep in my journal' }).click();
	await expect(thread(alex, entry)).toBeVisible();
	await thread(alex, entry).getByRole('button', { name: 'Share with the group' }).click();
	await expect(thread(alex, entry).getByTestId('share-confirm')).toContainText('Everyone in Thursday circle');
	await expect(thread(alex, entry).getByTestId('share-confirm')).toContainText('Sam');
	await expectAccessible(alex);
	await screenshotBothWidths(alex, 'journal-share');
	await thread(alex, entry).getByRole('button', { name: 'Yes, share with the group' }).click();
	await expect(thread(alex, entry).getByTestId('share-done')).toContainText('Shared with the group');
	await openLive(sam, `/groups/${groupId}/board`);
	await expect(thread(sam, entry)).toBeVisible();

	// An intention set in the journal is shown back on the board, with an invitation to reflect on it.
	const intention = 'To stay with what is hard instead of leaving.';
	await openLive(alex, `/groups/${groupId}/journal`);
	await alex.getByText('Intention', { exact: true }).click();
	await alex.getByLabel('Write in your journal').fill(intention);
	await alex.getByRole('button', { name: 'Keep in my journal' }).click();
	await expect(thread(alex, intention)).toContainText('Intention');
	await openLive(alex, `/groups/${groupId}/board`);
	await expect(alex.getByRole('region', { name: 'Your intention' })).toContainText(intention);
	await alex.getByRole('button', { name: 'Reflect on it' }).click();
	await expect(alex.getByRole('button', { name: 'How my intention showed up' })).toHaveAttribute(
		'aria-pressed',
		'true'
	);
	await expect(alex.getByLabel('Share with the group')).toBeFocused();
	await expectAccessible(alex);
	await screenshotBothWidths(alex, 'insight-intention');

	// Alex never saw Sam's words for the facilitators: not on any page, not in anything received.
	await openLive(alex, `/groups/${groupId}/board`);
	await expect(thread(alex, entry)).toBeVisible();
	await expect(alex.getByText(SECRET)).toHaveCount(0);
	expect(alexFrames.some((frame) => frame.includes(SHARED))).toBe(true); // the recording works
	expect(alexFrames.some((frame) => frame.includes(SECRET))).toBe(false);
	// Alex cannot open Sam's care thread either.
	const response = await alex.goto(`/groups/${groupId}/care/${await samId(fran, groupId)}`);
	expect(response?.status()).toBe(404);
	await expect(alex.getByText(SECRET)).toHaveCount(0);

	// Dark mode, for evening sessions.
	await alex.emulateMedia({ colorScheme: 'dark' });
	await openLive(alex, `/groups/${groupId}/journal`);
	await expectAccessible(alex);
	await screenshotBothWidths(alex, 'journal-dark');
	await circle.close();
});

/** Sam's user id, as the facilitator's care list links to it. */
async function samId(fran: Page, groupId: string): Promise<string> {
	await fran.goto(`/groups/${groupId}/care`);
	const href = await fran.getByRole('link', { name: /Sam/ }).getAttribute('href');
	return href!.split('/').pop()!;
}
