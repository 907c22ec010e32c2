import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { formCircle, formGroup, openBoard, setSessionState } from './support/circle';
import { DESKTOP, PHONE, expectAccessible } from './support/look';
import { createStaff, openSignedIn } from './support/people';

// Arrival trends across three sessions, each person on their own phone: Fran runs a "how are you arriving"
// round in each session; Sam answers every time, Alex answers, passes, answers. Sam sees only their own
// trend and chooses to show their intention; Fran sees both members' trends with attendance and Sam's
// intention; the facilitators' page does not exist for members or for another group's facilitator.

test.use({ actionTimeout: 15_000 });

/** Phone and desktop screenshots, each taken once every chart has been redrawn for the new width. */
async function look(page: Page, name: string) {
	fs.mkdirSync('.tmp/screens', { recursive: true });
	for (const [label, size] of [
		['phone', PHONE],
		['desktop', DESKTOP]
	] as const) {
		await page.setViewportSize(size);
		await expect
			.poll(() =>
				page.evaluate(() =>
					[...document.querySelectorAll('canvas')].every(
						(canvas) => Math.abs(canvas.getBoundingClientRect().width - canvas.parentElement!.clientWidth) < 2
					)
				)
			)
			.toBe(true);
		// Chart.js draws on the animation frame after a resize.
		await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
		await page.screenshot({ path: `.tmp/screens/arrivals-${name}-${label}.png`, fullPage: true });
	}
	await page.setViewportSize(PHONE);
}

type Answer = number | 'pass';

/** One session's check-in: Fran opens the arriving round, each member answers or passes, Fran closes it. */
async function runArrivalRound(fran: Page, members: { page: Page; answer: Answer }[], groupId: string) {
	for (const page of [fran, ...members.map((member) => member.page)]) await openBoard(page, groupId);
	await fran.getByRole('button', { name: 'Open a check-in round' }).click();
	await fran.getByLabel('Prompt').selectOption({ label: 'How are you arriving today?' });
	await fran.getByLabel('Ask “how are you arriving” on a 1–10 scale').check();
	await fran.getByRole('button', { name: 'Open the round' }).click();
	for (const { page, answer } of members) {
		const round = page.getByTestId('open-round');
		await expect(round.getByRole('heading', { name: 'How are you arriving today?' })).toBeVisible();
		if (answer === 'pass') {
			await round.getByRole('button', { name: 'Pass this time' }).click();
			await expect(page.getByText('You passed this time. That is always fine.')).toBeVisible();
		} else {
			// The choices are labels wrapping visually hidden inputs: a tap lands on the label.
			await round
				.getByRole('radio', { name: String(answer), exact: true })
				.locator('xpath=..')
				.click();
			await round.getByRole('button', { name: 'Share my answer' }).click();
			await expect(round.getByText('Your answer is with the circle.')).toBeVisible();
		}
	}
	await expect(fran.getByTestId('round-count')).toHaveText(
		`${members.length} of ${members.length} members have answered`
	);
	await fran.getByTestId('round-controls').getByRole('button', { name: 'Close the round' }).click();
	await expect(fran.getByTestId('closed-round')).toBeVisible();
}

function rows(page: Page, scope = page.locator('main')) {
	return scope.getByTestId('arrival-row');
}

test('members see their own arrivals, facilitators see everyone’s with attendance and shared intentions', async ({
	browser
}) => {
	test.setTimeout(300_000);
	const circle = await formCircle(browser, { name: 'Arrival circle', facilitator: 'Fran', members: ['Sam', 'Alex'] });
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const [sam, alex] = circle.members.map((member) => member.page);
	for (const page of [fran, sam, alex]) await page.setViewportSize(PHONE);
	// Sam asks for reduced motion: the chart appears without easing in (and screenshots are not mid-way).
	await sam.emulateMedia({ reducedMotion: 'reduce' });

	const plan: { session: string; sam: Answer; alex: Answer }[] = [
		{ session: 'Preparation 1', sam: 4, alex: 5 },
		{ session: 'Preparation 2', sam: 6, alex: 'pass' },
		{ session: 'Journey 1', sam: 8, alex: 7 }
	];
	let previous: string | null = null;
	for (const step of plan) {
		if (previous) await setSessionState(fran, groupId, previous, 'Done');
		await setSessionState(fran, groupId, step.session, 'In progress');
		await runArrivalRound(
			fran,
			[
				{ page: sam, answer: step.sam },
				{ page: alex, answer: step.alex }
			],
			groupId
		);
		previous = step.session;
	}

	// Sam writes an intention in the journal; it stays private until Sam chooses otherwise.
	const intention = 'To let the music carry me, and come back gently.';
	await sam.goto(`/groups/${groupId}/journal`);
	await expect(sam.getByRole('status').filter({ hasText: 'Live' }).first()).toBeVisible();
	await sam.getByText('Intention', { exact: true }).click();
	await sam.getByLabel('Write in your journal').fill(intention);
	await sam.getByRole('button', { name: 'Keep in my journal' }).click();
	await expect(sam.getByTestId('thread').filter({ hasText: intention })).toBeVisible();

	// Sam's own arrivals: three sessions, a chart and the table.
	await sam.getByRole('link', { name: 'My arrivals' }).click();
	await expect(sam.getByRole('heading', { name: 'How I have been arriving' })).toBeVisible();
	await expect(rows(sam)).toHaveText([
		/Preparation 1\s*4\s*Answered/,
		/Preparation 2\s*6\s*Answered/,
		/Journey 1\s*8\s*Answered/
	]);
	await expect(sam.getByTestId('arrival-chart')).toBeVisible();
	await expect(
		sam.getByRole('img', { name: /My arrivals\. From 1 to 10: Preparation 1, 4; Preparation 2, 6; Journey 1, 8/ })
	).toBeVisible();
	await expect(sam.locator('main')).not.toContainText('Alex');
	await expect(sam.getByTestId('my-intention')).toHaveText(intention);
	await expect(sam.getByTestId('intention-visibility')).toHaveText('Only you can see your intention.');
	await expectAccessible(sam);
	await look(sam, 'member-before-sharing');

	// Before Sam chooses, Fran's page does not show the intention.
	await fran.getByRole('link', { name: 'Arrivals' }).click();
	const samCard = fran.getByTestId('member-arrivals').filter({ has: fran.getByRole('heading', { name: 'Sam' }) });
	const alexCard = fran.getByTestId('member-arrivals').filter({ has: fran.getByRole('heading', { name: 'Alex' }) });
	await expect(samCard.getByTestId('member-intention')).toContainText(
		'Sam has not chosen to show their intention here.'
	);
	await expect(fran.getByText(intention)).toHaveCount(0);

	await sam.getByRole('button', { name: 'Show my intention to my facilitators' }).click();
	await expect(sam.getByText('Your facilitators can now see your intention.')).toBeVisible();
	await expect(sam.getByTestId('intention-visibility')).toHaveText('Your facilitators can see your intention.');

	// Fran sees both trends with attendance, and Sam's intention beside Sam's.
	await fran.reload();
	await expect(rows(fran, samCard)).toHaveText([
		/Preparation 1\s*4\s*Answered/,
		/Preparation 2\s*6\s*Answered/,
		/Journey 1\s*8\s*Answered/
	]);
	await expect(rows(fran, alexCard)).toHaveText([
		/Preparation 1\s*5\s*Answered/,
		/Preparation 2\s*–\s*no number\s*Passed/,
		/Journey 1\s*7\s*Answered/
	]);
	await expect(alexCard).toContainText('Answered 2 · Passed 1 · Absent 0');
	await expect(samCard.getByTestId('member-intention')).toContainText(intention);
	await expect(alexCard.getByTestId('member-intention')).toContainText(
		'Alex has not chosen to show their intention here.'
	);
	await expect(fran.getByTestId('arrival-chart')).toHaveCount(2);
	await expectAccessible(fran);
	await look(fran, 'facilitator');
	await fran.emulateMedia({ colorScheme: 'dark' });
	await expectAccessible(fran);
	await look(fran, 'facilitator-dark');
	// Back at phone width after the desktop screenshot, the charts shrink with the page: nothing scrolls sideways.
	await expect.poll(() => fran.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

	// Alex sees only Alex's own trend; the facilitators' page does not exist for a member.
	await alex.goto(`/groups/${groupId}/my-arrivals`);
	await expect(rows(alex)).toHaveText([
		/Preparation 1\s*5\s*Answered/,
		/Preparation 2\s*–\s*no number\s*Passed/,
		/Journey 1\s*7\s*Answered/
	]);
	await expect(alex.locator('main')).not.toContainText('Sam');
	await expect(alex.getByText(intention)).toHaveCount(0);
	await alex.emulateMedia({ colorScheme: 'dark' });
	await expectAccessible(alex);
	await look(alex, 'member-dark');
	expect((await alex.goto(`/groups/${groupId}/arrivals`))?.status()).toBe(404);
	await expect(alex.getByText(intention)).toHaveCount(0);

	// Sam takes the choice back: Fran no longer sees the intention.
	await sam.getByRole('button', { name: 'Stop showing it to my facilitators' }).click();
	await expect(sam.getByTestId('intention-visibility')).toHaveText('Only you can see your intention.');
	await fran.reload();
	await expect(samCard.getByTestId('member-intention')).toContainText(
		'Sam has not chosen to show their intention here.'
	);
	await expect(fran.getByText(intention)).toHaveCount(0);

	// Another group's facilitator is told the page does not exist.
	const olu = await createStaff(browser, 'Olu');
	const other = await openSignedIn(browser, olu);
	await formGroup(other.page, 'Another circle');
	expect((await other.page.goto(`/groups/${groupId}/arrivals`))?.status()).toBe(404);
	await expect(other.page.getByText('Sam')).toHaveCount(0);
	await other.context.close();
	await circle.close();
});
