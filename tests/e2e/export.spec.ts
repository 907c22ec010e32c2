import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { formCircle, openBoard, thread } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// A member takes a copy of what they wrote: a file for programs (downloaded, dated, their post in it) and
// a printable page; a wrong password first, which exports nothing and says so. Their facilitator takes
// the group's record from the group's page.

async function downloadJson(page: Page, form: ReturnType<Page['locator']>): Promise<{ name: string; data: unknown }> {
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		form.getByRole('button', { name: 'Download a file (JSON)' }).click()
	]);
	const path = await download.path();
	return { name: download.suggestedFilename(), data: JSON.parse(await readFile(path, 'utf8')) };
}

test('a member exports their data as a file and as a printable page', async ({ browser }) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Export circle', facilitator: 'Fran', members: ['Sam'] });
	const { page: sam, person } = circle.members[0];
	const words = 'Arriving slowly <b>and</b> glad to be here.';
	await openBoard(sam, circle.groupId);
	await sam.getByLabel('Share with the group').fill(words);
	await sam.getByRole('button', { name: 'Post to the group' }).click();
	await expect(thread(sam, words)).toBeVisible();
	await expect(sam.getByTestId('save-state')).toHaveText('Saved');

	await sam.goto('/account');
	const section = sam.locator('#your-data');
	await expect(section.getByRole('heading', { name: 'Your data' })).toBeVisible();

	// A wrong password: nothing is exported, and the page says what to do.
	await section.getByLabel('Your password').fill('not my password');
	await section.getByRole('button', { name: 'Download a file (JSON)' }).click();
	await expect(sam.locator('#your-data').getByRole('alert')).toContainText('That password did not match');
	expect(new URL(sam.url()).search).toBe('?export=password');

	await section.getByLabel('Your password').fill(person.password);
	const { name, data } = await downloadJson(sam, section);
	expect(name).toMatch(/^hearth-export-\d{4}-\d{2}-\d{2}\.json$/);
	const exported = data as { account: { email: string }; groups: { posts: { body: string }[] }[] };
	expect(exported.account.email).toBe(person.email);
	expect(exported.groups[0].posts.map((post) => post.body)).toContain(words);
	// The password is not left in the box, and the earlier refusal no longer shows.
	await expect(section.getByLabel('Your password')).toHaveValue('');
	await expect(section.getByRole('alert')).not.toContainText('did not match');
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'export-account');

	await section.getByLabel('Your password').fill(person.password);
	const [printable] = await Promise.all([
		sam.waitForEvent('popup'),
		section.getByRole('button', { name: 'Open a printable page' }).click()
	]);
	await expect(printable.getByRole('heading', { name: 'Your data from Hearth', level: 1 })).toBeVisible();
	// What Sam typed is shown as text, never as markup.
	await expect(printable.getByText(words)).toBeVisible();
	await expect(printable.getByRole('heading', { name: 'Export circle' })).toBeVisible();
	await expectAccessible(printable);
	await screenshotBothWidths(printable, 'export-page');
	await printable.emulateMedia({ media: 'print' });
	await printable.screenshot({ path: '.tmp/screens/export-page-print.png', fullPage: true });

	// The facilitator takes the group's record, with Sam's post under Sam's name.
	const fran = circle.facilitator.page;
	await fran.goto(`/groups/${circle.groupId}`);
	const record = fran.locator('#record');
	await record.getByLabel('Your password').fill(circle.facilitator.person.password);
	const group = await downloadJson(fran, record);
	expect(group.name).toMatch(/^hearth-group-record-\d{4}-\d{2}-\d{2}\.json$/);
	const posts = (group.data as { posts: { authorName: string; body: string }[] }).posts;
	expect(posts).toContainEqual(expect.objectContaining({ authorName: 'Sam', body: words }));
	await expectAccessible(fran);

	// Members have no such section, and the endpoint does not exist for them.
	await sam.goto(`/groups/${circle.groupId}`);
	await expect(sam.locator('#record')).toHaveCount(0);
	await circle.close();
});
