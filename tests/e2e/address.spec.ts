import { expect, test } from '@playwright/test';
import { screenshotBothWidths } from './support/look';

// SvelteKit refuses form posts from any origin but ORIGIN, so at 127.0.0.1 instead of localhost sign-in
// would silently do nothing: the page says where Hearth lives instead.
test('opened at another address than its own, Hearth says where to sign in', async ({ page, baseURL }) => {
	const origin = new URL(baseURL!).origin;
	const elsewhere = origin.replace('localhost', '127.0.0.1');
	expect(elsewhere).not.toBe(origin);

	await page.goto(`${elsewhere}/login`);
	const notice = page.getByTestId('wrong-address');
	await expect(notice).toContainText(`Open Hearth at ${origin} to sign in`);
	await screenshotBothWidths(page, 'wrong-address');

	await notice.getByRole('link', { name: origin }).click();
	await expect(page).toHaveURL(`${origin}/login`);
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await expect(page.getByTestId('wrong-address')).toHaveCount(0);
});
