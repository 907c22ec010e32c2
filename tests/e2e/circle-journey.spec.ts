import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { formCircle, openBoard, setSessionState } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// A journey session in the circle, each person on their own device: the facilitator opens a check-in
// round, one member answers and one passes, the talking piece goes round and the round closes; then quiet
// time pauses the group while members keep private notes, and the integration circle opens.

// A step that cannot happen should fail fast, not wait out the whole journey.
test.use({ actionTimeout: 15_000 });

async function look(page: Page, name: string) {
	fs.mkdirSync('.tmp/screens', { recursive: true });
	await screenshotBothWidths(page, `circle-${name}`);
}

test('a facilitator and two members walk a journey session: a check-in round, then quiet time', async ({ browser }) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: 'Journey circle', facilitator: 'Fran', members: ['Sam', 'Alex'] });
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const [sam, alex] = circle.members.map((member) => member.page);

	// The board opens on the session happening now.
	await setSessionState(fran, groupId, 'Journey 1', 'In progress');
	await sam.getByRole('link', { name: 'Board', exact: true }).click();
	await expect(sam.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
	await openBoard(alex, groupId);
	await openBoard(fran, groupId);
	for (const page of [fran, sam, alex]) {
		await expect(page.getByRole('heading', { name: 'Journey 1' })).toBeVisible();
		await expect(page.getByTestId('session-switcher').getByRole('link', { name: /Journey 1/ })).toHaveAttribute(
			'aria-current',
			'page'
		);
	}
	// Only facilitators open rounds.
	await expect(sam.getByRole('button', { name: 'Open a check-in round' })).toHaveCount(0);
	await expectAccessible(sam);

	// Fran opens a round from the prompt library, with the arriving scale and feeling words.
	await fran.getByRole('button', { name: 'Open a check-in round' }).click();
	await fran.getByLabel('Prompt').selectOption({ label: 'How are you arriving today?' });
	await fran.getByLabel('Ask “how are you arriving” on a 1–10 scale').check();
	await fran.getByLabel('Offer feeling words').check();
	await fran.getByRole('button', { name: 'Open the round' }).click();

	for (const page of [sam, alex]) {
		await expect(
			page.getByTestId('open-round').getByRole('heading', { name: 'How are you arriving today?' })
		).toBeVisible();
	}
	await expect(alex.getByTestId('round-announcer')).toHaveText('Fran opened a check-in round.');
	await expect(fran.getByTestId('round-count')).toHaveText('0 of 2 members have answered');

	// Sam answers with a number, a feeling and words; Alex passes.
	const samsRound = sam.getByTestId('open-round');
	// The choices are labels wrapping visually hidden inputs: a tap lands on the label.
	await samsRound.getByRole('radio', { name: '6' }).locator('xpath=..').click();
	await expect(samsRound.getByRole('radio', { name: '6' })).toBeChecked();
	await samsRound.getByRole('checkbox', { name: 'hopeful' }).locator('xpath=..').click();
	await expect(samsRound.getByRole('checkbox', { name: 'hopeful' })).toBeChecked();
	await samsRound.getByRole('textbox', { name: 'Your answer' }).fill('A little tired, and glad to be here.');
	await samsRound.getByRole('button', { name: 'Share my answer' }).click();
	await expect(samsRound.getByText('Your answer is with the circle.')).toBeVisible();
	await alex.getByTestId('open-round').getByRole('button', { name: 'Pass this time' }).click();
	await expect(alex.getByText('You passed this time. That is always fine.')).toBeVisible();

	// Fran sees who has answered, and everyone sees the answers live.
	const controls = fran.getByTestId('round-controls');
	await expect(fran.getByTestId('round-count')).toHaveText('2 of 2 members have answered');
	await expect(controls.getByRole('list', { name: 'Who has answered' })).toContainText('Sam — answered');
	await expect(controls.getByRole('list', { name: 'Who has answered' })).toContainText('Alex — passed');
	await expect(alex.getByTestId('round-answer').filter({ hasText: 'Sam' })).toContainText(
		'A little tired, and glad to be here.'
	);
	await expect(alex.getByTestId('round-answer').filter({ hasText: 'Sam' })).toContainText('6 of 10');

	// The talking piece goes to Sam, with a gentle two-minute timer everyone can see.
	await controls.getByRole('button', { name: 'Give Sam the talking piece' }).click();
	await expect(controls.getByRole('button', { name: 'Sam has the talking piece' })).toHaveAttribute(
		'aria-pressed',
		'true'
	);
	await expect(sam.getByTestId('talking-piece')).toContainText('You have the talking piece.');
	await expect(alex.getByTestId('talking-piece')).toContainText('Sam is sharing now.');
	await expect(alex.getByTestId('share-timer')).toContainText(/[12]:\d\d/);

	await expectAccessible(fran);
	await look(fran, 'round-facilitator');
	await expectAccessible(alex);
	await look(alex, 'round-member');

	// Alex starts changing their answer; Fran closes the round first. Alex is told kindly, the words stay.
	await alex.getByRole('button', { name: 'Change my answer' }).click();
	await alex
		.getByTestId('open-round')
		.getByRole('textbox', { name: 'Your answer' })
		.fill('Actually — nervous, and curious.');
	await controls.getByRole('button', { name: 'Close the round' }).click();
	for (const page of [fran, sam]) await expect(page.getByTestId('closed-round')).toBeVisible();
	await expect(alex.getByTestId('round-closed-message')).toContainText('This round has closed');
	await expect(alex.getByLabel('Your words')).toHaveValue('Actually — nervous, and curious.');
	await alex.getByRole('button', { name: 'Share my answer' }).click();
	await expect(alex.getByTestId('round-closed-message')).toContainText('answers can no longer be added');
	await expect(alex.getByLabel('Your words')).toHaveValue('Actually — nervous, and curious.');
	await expect(fran.getByText('Actually — nervous')).toHaveCount(0);
	await expect(sam.getByTestId('talking-piece')).toHaveCount(0);

	// Quiet time: members' group posting pauses; they breathe and keep private notes.
	await fran.getByRole('button', { name: 'Begin quiet time' }).click();
	for (const page of [sam, alex]) {
		await expect(page.getByTestId('quiet-mode')).toBeVisible();
		await expect(page.getByLabel('Share with the group')).toHaveCount(0);
	}
	await expect(fran.getByText('Quiet time is on.')).toBeVisible();

	const note = 'Colours, and my grandmother’s kitchen. Remember the warmth.';
	await sam.getByLabel('A private note, to share later if you like').fill(note);
	await sam.getByRole('button', { name: 'Keep this note' }).click();
	await expect(sam.getByTestId('notes-kept')).toHaveText('One note kept in your journal.');
	await expect(sam.getByLabel('A private note, to share later if you like')).toHaveValue('');
	// The note went to Sam's journal, not to the group.
	await expect(fran.getByText(note)).toHaveCount(0);
	await expect(alex.getByText(note)).toHaveCount(0);

	// The breathing pacer holds still for people who ask for less motion.
	await sam.emulateMedia({ reducedMotion: 'reduce' });
	const pacer = sam.getByTestId('breathing-pacer').locator('.pacer');
	await expect.poll(() => pacer.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
	await expectAccessible(sam);
	await look(sam, 'quiet-member');
	await sam.emulateMedia({ colorScheme: 'dark' });
	await look(sam, 'quiet-member-dark');
	await sam.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
	await look(fran, 'quiet-facilitator');

	// Fran ends quiet time: the integration circle opens and members can post again.
	await fran.getByRole('button', { name: 'End quiet time and open the integration circle' }).click();
	for (const page of [sam, alex]) {
		await expect(page.getByTestId('quiet-mode')).toHaveCount(0);
		await expect(page.getByLabel('Share with the group')).toBeVisible();
	}
	await expect(fran.getByText('The integration circle is open.')).toBeVisible();

	await circle.close();
});

test('an alumni group keeps its history and holds a member-started alumni check-in', async ({ browser }) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Alumni circle', facilitator: 'Rowan', members: ['Jun'] });
	const { groupId } = circle;
	const rowan = circle.facilitator.page;
	const jun = circle.members[0].page;

	// Something said during the program stays on the board afterwards.
	await openBoard(jun, groupId);
	await jun.getByLabel('Share with the group').fill('Thank you all for these weeks.');
	await jun.getByRole('button', { name: 'Post to the group' }).click();
	await expect(jun.getByTestId('save-state')).toHaveText('Saved');
	// Off the board before the move: an open board would close (4428) and take the tab to the agreement
	// by itself, racing the navigation below.
	await jun.goto(`/groups/${groupId}`);

	// The program ends; Jun re-consents to stay as alumni.
	await rowan.goto(`/groups/${groupId}`);
	await rowan.getByRole('button', { name: 'Start the program' }).click();
	await rowan.getByRole('button', { name: 'End the program and move to alumni' }).click();
	await expect(rowan.getByRole('button', { name: 'Archive the group' })).toBeVisible();
	await jun.goto(`/groups/${groupId}`);
	await jun.getByLabel('I have read this agreement').check();
	await jun.getByLabel('Type your name to sign').fill('Jun');
	await jun.getByRole('button', { name: 'Sign the agreement' }).click();
	await expect(jun).toHaveURL(new RegExp(`/groups/${groupId}$`));

	// The group's prompt library is the facilitators' to edit; members cannot open it.
	await rowan.getByRole('link', { name: 'Prompts' }).click();
	const alumniPrompts = rowan.getByRole('region', { name: 'Alumni' });
	await alumniPrompts.getByLabel('New prompt for “alumni”').fill('What are you proud of this month?');
	await alumniPrompts.getByRole('button', { name: 'Add prompt' }).click();
	await expect(rowan.getByText('Prompt added.')).toBeVisible();
	await expect(alumniPrompts.getByRole('textbox', { name: /Alumni prompt/ }).last()).toHaveValue(
		'What are you proud of this month?'
	);
	await expectAccessible(rowan);
	const refused = await jun.goto(`/groups/${groupId}/prompts`);
	expect(refused?.status()).toBe(404);

	await openBoard(jun, groupId);
	await openBoard(rowan, groupId);
	await expect(jun.getByRole('heading', { name: 'Alumni board' })).toBeVisible();
	await expect(jun.getByTestId('session-switcher').getByRole('link', { name: /Alumni circle/ })).toHaveAttribute(
		'aria-current',
		'page'
	);
	// The program's sessions are history, a tap away.
	await jun
		.getByTestId('session-switcher')
		.getByRole('link', { name: /Preparation 1/ })
		.click();
	await expect(jun.getByRole('heading', { name: 'Preparation 1' })).toBeVisible();
	await expect(jun.getByTestId('thread').filter({ hasText: 'Thank you all for these weeks.' })).toBeVisible();
	await jun
		.getByTestId('session-switcher')
		.getByRole('link', { name: /Alumni circle/ })
		.click();
	await expect(jun.getByRole('heading', { name: 'Alumni circle', level: 3 })).toBeVisible();
	// Facilitators start alumni check-ins unless they let members do it too.
	await expect(jun.getByRole('button', { name: 'Start an alumni check-in' })).toHaveCount(0);
	await rowan.getByRole('button', { name: 'Let members start them' }).click();
	await expect(rowan.getByText('Members can start alumni check-ins too.')).toBeVisible();

	await jun.getByRole('button', { name: 'Start an alumni check-in' }).click();
	await expect(jun.getByLabel('Prompt')).toHaveValue(/.+/);
	await jun.getByLabel('Prompt').selectOption({ label: 'What are you proud of this month?' });
	await jun.getByRole('button', { name: 'Open the round' }).click();
	const round = jun.getByTestId('open-round');
	await round.getByRole('textbox', { name: 'Your answer' }).fill('Steady, and grateful for this circle.');
	await round.getByRole('button', { name: 'Share my answer' }).click();
	await expect(rowan.getByTestId('open-round')).toContainText('Alumni check-in');
	await expect(rowan.getByTestId('open-round').getByRole('heading', { level: 3 })).toHaveText(
		'What are you proud of this month?'
	);
	await expect(rowan.getByTestId('round-answer')).toContainText('Steady, and grateful for this circle.');

	await expectAccessible(jun);
	await look(jun, 'alumni-member');
	await expectAccessible(rowan);
	await look(rowan, 'alumni-facilitator');

	await circle.close();
});
