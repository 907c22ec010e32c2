import { expect, request, test } from '@playwright/test';
import { formCircle } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// A member subscribes to their sessions from the account page: the link works without being signed in, is
// never kept by a cache, shows only neutral titles, and stops working when replaced or turned off.

test('a member makes, replaces and turns off their calendar link', async ({ browser, baseURL }) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Calendar circle', facilitator: 'Fran', members: ['Sam'] });
	const { page: sam } = circle.members[0];
	// A calendar app: no cookies, no session.
	const calendarApp = await request.newContext({ baseURL });

	await sam.goto('/account');
	const section = sam.locator('#calendar');
	await expect(section.getByRole('heading', { name: 'Sessions in your calendar' })).toBeVisible();
	await section.getByRole('button', { name: 'Make my calendar link' }).click();
	const first = await section.getByLabel('Your private calendar link').inputValue();
	expect(first).toMatch(/^http:\/\/localhost:4173\/calendar\/[a-z2-7]{32}\.ics$/);
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'calendar-settings');

	const feed = await calendarApp.get(first);
	expect(feed.status()).toBe(200);
	expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
	expect(feed.headers()['cache-control']).toBe('no-store');
	expect(feed.headers()['set-cookie']).toBeUndefined();
	const text = await feed.text();
	expect(text.match(/^SUMMARY:.*$/gm)).toEqual(Array(7).fill('SUMMARY:Hearth session'));
	expect(text).not.toContain('Calendar circle');

	// Opting in names the group; the same link shows it at once.
	await section.getByLabel('Name my groups and sessions in event titles').check();
	await section.getByRole('button', { name: 'Save' }).click();
	await expect(section.getByText('Saved.')).toBeVisible();
	expect(await (await calendarApp.get(first)).text()).toContain('SUMMARY:Calendar circle · Journey 1');

	// A new link stops the old one.
	await section.getByRole('button', { name: 'Make a new link' }).click();
	const second = await section.getByLabel('Your private calendar link').inputValue();
	expect(second).not.toBe(first);
	expect((await calendarApp.get(first)).status()).toBe(404);
	expect((await calendarApp.get(second)).status()).toBe(200);

	await section.getByRole('button', { name: 'Turn off' }).click();
	await expect(section.getByText('Your calendar link is turned off.')).toBeVisible();
	await expect(section.getByRole('button', { name: 'Make my calendar link' })).toBeVisible();
	expect((await calendarApp.get(second)).status()).toBe(404);

	await calendarApp.dispose();
	await circle.close();
});
