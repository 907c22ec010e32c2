import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/** axe must find nothing on our pages. */
export async function expectAccessible(page: Page): Promise<void> {
	const results = await new AxeBuilder({ page }).analyze();
	expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

/** Saves phone and desktop screenshots of the current page for a person to look at. */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
	const original = page.viewportSize();
	for (const [label, size] of [
		['phone', PHONE],
		['desktop', DESKTOP]
	] as const) {
		await page.setViewportSize(size);
		await page.screenshot({ path: `.tmp/screens/${name}-${label}.png`, fullPage: true });
	}
	if (original) await page.setViewportSize(original);
}
