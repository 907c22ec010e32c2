import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { formCircle, openBoard } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';
import { signIn } from './support/people';

// Hearth can be installed on a phone: Chromium finds nothing missing for installation, the service worker
// keeps only the app shell (never a page, an API answer or anything from the board), the board stays live
// under it, and a page that cannot be reached shows the offline page.

/** Every URL path held in the page's Cache Storage. */
async function listCachedPaths(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const paths: string[] = [];
		for (const name of await caches.keys()) {
			for (const cached of await (await caches.open(name)).keys()) paths.push(new URL(cached.url).pathname);
		}
		return paths;
	});
}

const SHELL =
	/^\/(_app\/immutable\/.+|_app\/version\.json|offline\.html|manifest\.webmanifest|favicon\.svg|icons\/.+)$/;

test('Hearth installs, caches only its shell and shows an offline page', async ({ browser, playwright, baseURL }) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Installable circle', facilitator: 'Fran', members: ['Sam'] });
	// Chromium never offers to install from an incognito-like context (Playwright's usual ones): Sam's phone
	// is a browser profile on disk.
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-installable-'));
	const context = await playwright.chromium.launchPersistentContext(profile, {
		...test.info().project.use.launchOptions,
		baseURL
	});
	const sam = context.pages()[0] ?? (await context.newPage());
	await signIn(sam, circle.members[0].person);

	await sam.goto('/');
	await sam.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	const cdp = await context.newCDPSession(sam);
	const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
	expect(installabilityErrors).toEqual([]);
	const manifest = await cdp.send('Page.getAppManifest');
	expect(manifest.errors).toEqual([]);

	// Under the service worker's control, the board still connects and updates live.
	await sam.reload();
	expect(await sam.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
	await openBoard(sam, circle.groupId);
	const words = 'Here, and glad of it.';
	await sam.getByLabel('Share with the group').fill(words);
	await sam.getByRole('button', { name: 'Post to the group' }).click();
	await expect(sam.getByTestId('save-state')).toHaveText('Saved');
	await sam.goto(`/groups/${circle.groupId}/schedule`);
	await sam.goto('/account');

	const cached = await listCachedPaths(sam);
	expect(cached).toContain('/offline.html');
	expect(cached).toContain('/manifest.webmanifest');
	expect(cached.filter((path) => !SHELL.test(path))).toEqual([]);
	for (const path of cached.filter((p) => p.startsWith('/_app/'))) {
		// Built assets only: scripts, styles, fonts (and the version stamp), never a rendered page or data.
		expect(path).toMatch(/\.(js|css|woff2?|json)$/);
	}

	await context.setOffline(true);
	await sam.goto(`/groups/${circle.groupId}/board`);
	await expect(sam.getByRole('heading', { name: 'You’re offline' })).toBeVisible();
	await expect(sam.getByText(words)).toHaveCount(0);
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'offline');
	await context.setOffline(false);
	await sam.getByRole('link', { name: 'Try again' }).click();
	await expect(sam.getByRole('button', { name: 'Sign out' })).toBeVisible();

	await context.close();
	fs.rmSync(profile, { recursive: true, force: true });
	await circle.close();
});
