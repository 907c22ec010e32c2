// Renders the app icon (static/icons/icon.svg) to the PNG sizes the web app manifest and iOS ask for.
// Run after changing the SVG: `node scripts/render-icons.js`; the PNGs are committed, so builds need no browser.
// The SVG fills its whole square, so the same files serve as maskable icons (the flame stays in the safe zone).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const root = path.resolve(import.meta.dirname, '..');
const svg = fs.readFileSync(path.join(root, 'static/icons/icon.svg'), 'utf8');
const SIZES = [
	{ size: 192, file: 'icon-192.png' },
	{ size: 512, file: 'icon-512.png' },
	{ size: 180, file: 'apple-touch-icon.png' }
];
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

const browser = await chromium.launch(
	fs.existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] } : {}
);
try {
	for (const { size, file } of SIZES) {
		const page = await browser.newPage({ viewport: { width: size, height: size } });
		const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
		await page.setContent(`<html><body style="margin:0">${sized}</body></html>`);
		await page.screenshot({ path: path.join(root, 'static/icons', file), omitBackground: false });
		await page.close();
		console.log(`static/icons/${file}`);
	}
} finally {
	await browser.close();
}
