import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type BrowserType, type Page } from '@playwright/test';
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

/** A browser profile on disk: Chromium never offers installation in the incognito-like contexts Playwright usually makes. */
async function openPhoneProfile(chromium: BrowserType, baseURL: string | undefined) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-installable-'));
	const context = await chromium.launchPersistentContext(profile, {
		...test.info().project.use.launchOptions,
		baseURL
	});
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		async close() {
			await context.close();
			fs.rmSync(profile, { recursive: true, force: true });
		}
	};
}

async function waitForServiceWorkerControl(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	// The first visit installs it; from the next load on it sees the page's requests.
	await page.reload();
	expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

const SHELL =
	/^\/(_app\/immutable\/.+|_app\/version\.json|offline\.html|manifest\.webmanifest|favicon\.svg|icons\/.+)$/;

test('Hearth installs, caches only its shell and shows an offline page', async ({ browser, playwright, baseURL }) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Installable circle', facilitator: 'Fran', members: ['Sam'] });
	const phone = await openPhoneProfile(playwright.chromium, baseURL);
	const { context, page: sam } = phone;
	await signIn(sam, circle.members[0].person);

	await sam.goto('/');
	await waitForServiceWorkerControl(sam);
	const cdp = await context.newCDPSession(sam);
	const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
	expect(installabilityErrors).toEqual([]);
	const manifest = await cdp.send('Page.getAppManifest');
	expect(manifest.errors).toEqual([]);

	// Under the service worker's control, the board still connects and updates live.
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

	await phone.close();
	await circle.close();
});

test('a new version waits for the person to choose to reload', async ({ playwright, baseURL }) => {
	test.setTimeout(120_000);
	const phone = await openPhoneProfile(playwright.chromium, baseURL);
	const { page } = phone;
	await page.goto('/login');
	await waitForServiceWorkerControl(page);

	await page.getByLabel('Email').fill('half-typed@example.org');
	// A new version arrives: a worker with another script URL for the same scope installs and waits, as the
	// next build's would (the server cannot be rebuilt in the middle of a test).
	await page.evaluate(async () => {
		await navigator.serviceWorker.register('/service-worker.js?next');
	});

	const notice = page.getByTestId('update-notice');
	await expect(notice).toContainText('A new version of Hearth is ready.');
	// Nothing reloads by itself: what was typed stays.
	await expect(page.getByLabel('Email')).toHaveValue('half-typed@example.org');
	await expectAccessible(page);
	await screenshotBothWidths(page, 'update-notice');

	await notice.getByRole('button', { name: 'Reload' }).click();
	// The new version took over and the page reloaded once.
	await expect(page.getByLabel('Email')).toHaveValue('');
	expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\?next$/);
	await phone.close();
});
