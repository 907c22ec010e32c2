import fs from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { formCircle, openBoard, setSessionState, thread } from './support/circle';
import { PHONE, expectAccessible, screenshotBothWidths } from './support/look';

// A round held from a phone with the keyboard alone, each person on their own device: every step is heard
// in the page's live region and focus stays where the person is; boxes and panels close with Escape and
// hand focus back; the breathing pacer can be paused; text boxes can be seen. Then honest offline: the
// member's own posts and answers say "Not yet saved" until the server has them, and the browser asks
// before a tab with unsaved words closes.

test.use({ actionTimeout: 15_000 });

async function look(page: Page, name: string) {
	fs.mkdirSync('.tmp/screens', { recursive: true });
	await screenshotBothWidths(page, `round-keyboard-${name}`);
}

/** Presses Tab until `target` has focus: it must be reachable by keyboard, in the page's own order. */
async function tabTo(page: Page, target: Locator, limit = 150): Promise<void> {
	await expect(target).toBeVisible();
	for (let presses = 0; presses < limit; presses++) {
		if (await target.evaluate((element) => element === document.activeElement)) return;
		await page.keyboard.press('Tab');
	}
	throw new Error(`${target} was not reached with ${limit} presses of Tab`);
}

/** Where the person is: focus on `target`, never dropped to the page. */
async function expectFocusOn(target: Locator): Promise<void> {
	await expect(target).toBeFocused();
	expect(await target.page().evaluate(() => document.activeElement !== document.body)).toBe(true);
}

/**
 * The edge of every visible text box keeps 3:1 against the box itself and against what it sits on (WCAG
 * 1.4.11), from the colours the browser computed.
 */
async function expectVisibleFieldEdges(page: Page): Promise<void> {
	const fields = await page.evaluate(() => {
		const parse = (colour: string): number[] | null => {
			const rgb = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(colour);
			if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
			const srgb = /^color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: \/ ([\d.]+))?\)$/.exec(colour);
			if (srgb) return [...[1, 2, 3].map((i) => Number(srgb[i]) * 255), srgb[4] === undefined ? 1 : Number(srgb[4])];
			return null;
		};
		const luminance = ([r, g, b]: number[]) => {
			const [R, G, B] = [r, g, b].map((v) => {
				const c = v / 255;
				return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
			});
			return 0.2126 * R + 0.7152 * G + 0.0722 * B;
		};
		const contrast = (a: number[], b: number[]) => {
			const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
			return (x + 0.05) / (y + 0.05);
		};
		const solidBackground = (element: Element | null): { colour: string; rgb: number[] } | null => {
			for (let node = element; node; node = node.parentElement) {
				const colour = getComputedStyle(node).backgroundColor;
				const rgb = parse(colour);
				if (rgb && rgb[3] === 1) return { colour, rgb };
			}
			return null;
		};
		return [
			...document.querySelectorAll('textarea, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select')
		]
			.filter((field) => (field as HTMLElement).offsetParent !== null && !field.classList.contains('sr-only'))
			.map((field) => {
				const style = getComputedStyle(field);
				const edge = parse(style.borderTopColor);
				const own = solidBackground(field);
				const around = solidBackground(field.parentElement);
				return {
					field: field.id || field.getAttribute('name') || field.tagName,
					edge: style.borderTopColor,
					parsed: edge !== null && own !== null && around !== null,
					againstBox: edge && own ? Math.round(contrast(edge, own.rgb) * 100) / 100 : 0,
					againstPage: edge && around ? Math.round(contrast(edge, around.rgb) * 100) / 100 : 0
				};
			});
	});
	expect(fields.length).toBeGreaterThan(0);
	for (const field of fields) {
		expect(field.parsed, JSON.stringify(field)).toBe(true);
		expect(field.againstBox, JSON.stringify(field)).toBeGreaterThanOrEqual(3);
		expect(field.againstPage, JSON.stringify(field)).toBeGreaterThanOrEqual(3);
	}
}

/** axe and the text-box edges, in the light and the dark scheme. */
async function expectClearInBothSchemes(page: Page): Promise<void> {
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		await expectAccessible(page);
		await expectVisibleFieldEdges(page);
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

test('a facilitator and a member hold a round from their phones with the keyboard alone', async ({ browser }) => {
	test.setTimeout(300_000);
	const circle = await formCircle(browser, { name: 'Keyboard circle', facilitator: 'Fran', members: ['Sam'] });
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const sam = circle.members[0].page;
	await setSessionState(fran, groupId, 'Journey 1', 'In progress');
	for (const page of [fran, sam]) {
		await page.setViewportSize(PHONE);
		await openBoard(page, groupId);
	}
	const franHears = fran.getByTestId('round-announcer');
	const samHears = sam.getByTestId('round-announcer');

	// Fran opens the form, leaves it with Escape (back on its button), opens it again and opens the round.
	const opener = fran.getByRole('button', { name: 'Open a check-in round' });
	await tabTo(fran, opener);
	await fran.keyboard.press('Enter');
	await expectFocusOn(fran.getByLabel('Prompt'));
	await fran.keyboard.press('Escape');
	await expect(fran.getByLabel('Prompt')).toHaveCount(0);
	await expectFocusOn(opener);
	await fran.keyboard.press('Enter');
	await expectFocusOn(fran.getByLabel('Prompt'));
	await tabTo(fran, fran.getByRole('button', { name: 'Open the round' }));
	await fran.keyboard.press('Enter');
	const franRound = fran.getByTestId('open-round');
	await expectFocusOn(franRound.getByRole('heading', { level: 3 }));
	const prompt = await franRound.getByRole('heading', { level: 3 }).innerText();
	await expect(franHears).toHaveText(`You opened a check-in round: ${prompt}`);
	await expect(samHears).toHaveText('Fran opened a check-in round.');

	// Sam answers; focus lands on "Change my answer", and both hear it.
	const samRound = sam.getByTestId('open-round');
	await tabTo(sam, samRound.getByRole('textbox', { name: 'Your answer' }));
	await sam.keyboard.type('Tender, and glad to be here.');
	await tabTo(sam, samRound.getByRole('button', { name: 'Share my answer' }));
	await sam.keyboard.press('Enter');
	await expectFocusOn(samRound.getByRole('button', { name: 'Change my answer' }));
	await expect(samHears).toHaveText('Your answer is with the circle.');
	await expect(franHears).toHaveText('Sam answered.');

	// The talking piece: given (focus stays on the button, now pressed), put down (focus goes back to it).
	await tabTo(fran, franRound.getByRole('button', { name: 'Give Sam the talking piece' }));
	await fran.keyboard.press('Enter');
	const holding = franRound.getByRole('button', { name: 'Sam has the talking piece' });
	await expectFocusOn(holding);
	await expect(holding).toHaveAttribute('aria-pressed', 'true');
	await expect(franHears).toHaveText('Sam has the talking piece.');
	await expect(samHears).toHaveText('You have the talking piece.');
	await tabTo(fran, franRound.getByRole('button', { name: 'Put the talking piece down' }));
	await fran.keyboard.press('Enter');
	await expectFocusOn(franRound.getByRole('button', { name: 'Give Sam the talking piece' }));
	await expect(franHears).toHaveText('The talking piece is down.');
	await expect(samHears).toHaveText('The talking piece is down.');
	await fran.keyboard.press('Enter');
	await expect(samHears).toHaveText('You have the talking piece.');

	await expectClearInBothSchemes(fran);
	await expectClearInBothSchemes(sam);
	await look(fran, 'round-facilitator');
	await look(sam, 'round-member');

	// Fran closes the round: focus stays in the round (its heading), and everyone hears it.
	await tabTo(fran, franRound.getByRole('button', { name: 'Close the round' }));
	await fran.keyboard.press('Enter');
	await expectFocusOn(fran.getByTestId('closed-round').getByRole('heading', { level: 3 }));
	await expect(franHears).toHaveText('The round is closed.');
	await expect(samHears).toHaveText('The round is closed.');
	await expect(sam.getByTestId('talking-piece')).toHaveCount(0);

	// A reply box: "Reply" says it opens one; Escape closes it and returns to Reply; sending does too.
	const words = 'Thank you for arriving as you are.';
	await tabTo(fran, fran.getByRole('textbox', { name: 'Share with the group' }));
	await fran.keyboard.type(words);
	await fran.keyboard.press('Control+Enter');
	const reply = thread(sam, words).getByRole('button', { name: 'Reply to Fran' });
	await tabTo(sam, reply);
	await expect(reply).toHaveAttribute('aria-expanded', 'false');
	await sam.keyboard.press('Enter');
	await expect(reply).toHaveAttribute('aria-expanded', 'true');
	const box = thread(sam, words).getByRole('textbox', { name: 'Reply to Fran' });
	await expectFocusOn(box);
	await expect(reply).toHaveAttribute(
		'aria-controls',
		(await box.evaluate((el) => el.closest('[id^="reply-box-"]')?.id)) ?? 'missing'
	);
	await sam.keyboard.type('Not this');
	await sam.keyboard.press('Escape');
	await expect(box).toHaveCount(0);
	await expectFocusOn(reply);
	await expect(reply).toHaveAttribute('aria-expanded', 'false');
	await sam.keyboard.press('Enter');
	await sam.keyboard.type('It helped to hear you.');
	await sam.keyboard.press('Control+Enter');
	await expect(thread(sam, words).getByTestId('reply')).toContainText('It helped to hear you.');
	await expect(box).toHaveCount(0);
	await expectFocusOn(reply);
	await expect(thread(fran, words).getByTestId('reply')).toContainText('It helped to hear you.');

	// Flag: Escape closes the panel and returns to the button.
	const flag = thread(sam, words).getByRole('button', { name: 'Flag for facilitators' });
	await tabTo(sam, flag);
	await sam.keyboard.press('Enter');
	await expect(flag).toHaveAttribute('aria-expanded', 'true');
	await sam.keyboard.press('Tab');
	await expectFocusOn(sam.getByRole('textbox', { name: /What worries you/ }));
	await expectClearInBothSchemes(sam);
	await sam.keyboard.press('Escape');
	await expect(sam.getByRole('textbox', { name: /What worries you/ })).toHaveCount(0);
	await expectFocusOn(flag);
	await expect(flag).toHaveAttribute('aria-expanded', 'false');

	// Moderate: Escape closes the Hide panel (back on Hide), then the tools (back on Moderate).
	const samsReply = thread(fran, words).getByTestId('reply');
	const moderate = samsReply.getByRole('button', { name: 'Moderate this post' });
	await tabTo(fran, moderate);
	await fran.keyboard.press('Enter');
	await expect(moderate).toHaveAttribute('aria-expanded', 'true');
	const hide = samsReply.getByRole('button', { name: 'Hide', exact: true });
	await tabTo(fran, hide);
	await fran.keyboard.press('Enter');
	await tabTo(fran, samsReply.getByRole('textbox', { name: /A word for the author/ }));
	await fran.keyboard.press('Escape');
	await expect(samsReply.getByRole('textbox', { name: /A word for the author/ })).toHaveCount(0);
	await expectFocusOn(hide);
	await fran.keyboard.press('Escape');
	await expect(hide).toHaveCount(0);
	await expectFocusOn(moderate);
	await expect(moderate).toHaveAttribute('aria-expanded', 'false');

	// Quiet time: the breathing pacer can be paused and resumed, and never moves under reduced motion.
	await tabTo(fran, fran.getByRole('button', { name: 'Begin quiet time' }));
	await fran.keyboard.press('Enter');
	await expectFocusOn(fran.getByRole('button', { name: 'End quiet time and open the integration circle' }));
	await expect(sam.getByTestId('quiet-mode')).toBeVisible();
	const pacer = sam.getByTestId('breathing-pacer').locator('.pacer');
	const playState = () => pacer.evaluate((el) => getComputedStyle(el).animationPlayState);
	await expect.poll(playState).toBe('running');
	const pause = sam.getByRole('button', { name: 'Pause the breathing circle' });
	await tabTo(sam, pause);
	await sam.keyboard.press('Enter');
	await expect.poll(playState).toBe('paused');
	const resume = sam.getByRole('button', { name: 'Let the circle breathe again' });
	await expectFocusOn(resume);
	await look(sam, 'pacer-paused');
	await sam.keyboard.press('Enter');
	await expect.poll(playState).toBe('running');
	await expectFocusOn(pause);

	await sam.emulateMedia({ reducedMotion: 'reduce' });
	const animation = () => pacer.evaluate((el) => getComputedStyle(el).animationName);
	await expect.poll(animation).toBe('none');
	await sam.keyboard.press('Enter');
	await expectFocusOn(resume);
	await expect.poll(animation).toBe('none');
	await sam.keyboard.press('Enter');
	await expectFocusOn(pause);
	await expectClearInBothSchemes(sam);
	await sam.emulateMedia({ reducedMotion: 'no-preference' });

	await circle.close();
});

test('offline, a member’s own posts and answers say "Not yet saved" until stored; unsaved words hold the tab', async ({
	browser
}) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: 'Offline circle', facilitator: 'Rowan', members: ['Jun'] });
	const { groupId } = circle;
	const rowan = circle.facilitator.page;
	const { context, page: jun } = circle.members[0];
	await jun.setViewportSize(PHONE);
	await openBoard(rowan, groupId);
	await openBoard(jun, groupId);
	await rowan.getByRole('button', { name: 'Open a check-in round' }).click();
	await rowan.getByRole('button', { name: 'Open the round' }).click();
	await expect(jun.getByTestId('open-round')).toBeVisible();

	// What is stored shows no marker.
	const stored = 'Arriving slowly today.';
	await jun.getByLabel('Share with the group').fill(stored);
	await jun.getByRole('button', { name: 'Post to the group' }).click();
	await expect(jun.getByTestId('save-state')).toHaveText('Saved');
	await expect(thread(jun, stored)).toBeVisible();
	await expect(thread(jun, stored).getByTestId('not-saved')).toHaveCount(0);

	// The train goes into a tunnel.
	await context.setOffline(true);
	await expect(jun.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
	const offline = 'Written between stations.';
	await jun.getByLabel('Share with the group').fill(offline);
	await jun.getByRole('button', { name: 'Post to the group' }).click();
	await expect(thread(jun, offline).getByTestId('not-saved')).toHaveText('· Not yet saved');
	await expect(thread(jun, stored).getByTestId('not-saved')).toHaveCount(0);
	const answers = jun.getByTestId('open-round');
	await answers.getByRole('textbox', { name: 'Your answer' }).fill('On my way.');
	await answers.getByRole('button', { name: 'Share my answer' }).click();
	const mine = answers.getByTestId('round-answer').filter({ hasText: 'You' });
	await expect(mine.getByTestId('not-saved')).toHaveText('· Not yet saved');
	await expect(answers).toContainText('Offline: it is kept here and goes to the circle when you are back.');
	await expect(thread(rowan, offline)).toHaveCount(0);
	await expectAccessible(jun);
	await look(jun, 'offline-member');

	// Closing the tab now would lose those words: the browser asks. Jun stays.
	const asked: string[] = [];
	jun.on('dialog', (dialog) => {
		asked.push(dialog.type());
		void dialog.dismiss();
	});
	await jun.close({ runBeforeUnload: true });
	await expect.poll(() => asked).toEqual(['beforeunload']);
	expect(jun.isClosed()).toBe(false);

	// Back online: the words go out, the markers go once the server has stored them.
	await context.setOffline(false);
	await expect(jun.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
	await expect(jun.getByTestId('save-state')).toHaveText('Saved');
	await expect(jun.getByTestId('not-saved')).toHaveCount(0);
	await expect(answers).not.toContainText('Offline: it is kept here');
	await expect(thread(rowan, offline)).toBeVisible();
	await expect(rowan.getByTestId('round-answer').filter({ hasText: 'Jun' })).toContainText('On my way.');

	// Everything stored and nothing typed: the tab closes without a question.
	const later = await context.newPage();
	await openBoard(later, groupId);
	await later.getByLabel('Share with the group').click();
	const laterAsked: string[] = [];
	later.on('dialog', (dialog) => {
		laterAsked.push(dialog.type());
		void dialog.accept();
	});
	await later.close({ runBeforeUnload: true });
	await expect.poll(() => later.isClosed()).toBe(true);
	expect(laterAsked).toEqual([]);

	// Words typed but not sent: the browser asks before the tab goes.
	await jun.getByLabel('Share with the group').click();
	await jun.keyboard.type('Half a thought');
	asked.length = 0;
	jun.removeAllListeners('dialog');
	jun.on('dialog', (dialog) => {
		asked.push(dialog.type());
		void dialog.accept();
	});
	await jun.close({ runBeforeUnload: true });
	await expect.poll(() => asked).toEqual(['beforeunload']);
	await expect.poll(() => jun.isClosed()).toBe(true);

	await circle.close();
});
