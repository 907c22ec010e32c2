// The second factor in the journeys: each person's authenticator app. When a journey enrols someone, the
// secret is read from the enrolment page as a person would type it into their app, and kept (with the last
// 30-second step used) in a file, because the first-run journey enrols the admin in another worker than
// the journeys that sign in as them. Codes are computed with @oslojs/otp, as an app computes them.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { expect, type Page } from '@playwright/test';

const FACTORS_FILE = path.resolve(import.meta.dirname, '../../../.tmp/e2e-second-factors.json');
const STEP_MS = 30_000;

interface App {
	key: string;
	lastStep: number;
}

function readApps(): Record<string, App> {
	return fs.existsSync(FACTORS_FILE) ? JSON.parse(fs.readFileSync(FACTORS_FILE, 'utf8')) : {};
}

function saveApp(email: string, app: App): void {
	fs.mkdirSync(path.dirname(FACTORS_FILE), { recursive: true });
	fs.writeFileSync(FACTORS_FILE, JSON.stringify({ ...readApps(), [email]: app }));
}

/** A new installation: nobody has an app yet (the first-run journey starts with this). */
export function forgetSecondFactors(): void {
	fs.rmSync(FACTORS_FILE, { force: true });
}

/**
 * The code the person's app shows, for a 30-second step Hearth has not seen from them yet: the current one,
 * or the next (Hearth accepts a step either side). When both are used, waits for time to move on.
 */
export async function nextCode(email: string): Promise<string> {
	const app = readApps()[email];
	if (!app) throw new Error(`${email} has not set up two-step sign-in in these journeys`);
	const step = Math.max(Math.floor(Date.now() / STEP_MS), app.lastStep + 1);
	const wait = (step - 1) * STEP_MS - Date.now();
	if (wait > 0) await sleep(wait + 500);
	saveApp(email, { ...app, lastStep: step });
	return generateHOTP(decodeBase32IgnorePadding(app.key.replaceAll(' ', '')), BigInt(step), 6);
}

/**
 * On the enrolment page: adds Hearth to the person's app with the typed setup key, confirms with a code and
 * returns the recovery codes it then shows, leaving the page on them.
 */
export async function enrol(page: Page, email: string): Promise<string[]> {
	await expect(page.getByRole('heading', { name: 'Set up two-step sign-in' })).toBeVisible();
	const key = (await page.getByTestId('setup-key').innerText()).trim();
	saveApp(email, { key, lastStep: -1 });
	await page.getByLabel('Code from your app').fill(await nextCode(email));
	await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
	await expect(page.getByRole('heading', { name: 'Two-step sign-in is on' })).toBeVisible();
	return page.getByTestId('recovery-codes').getByRole('listitem').allInnerTexts();
}

/** After a right password: enrols (first time) or types the code from the app, whichever Hearth asks for. */
export async function passSecondFactor(page: Page, email: string): Promise<void> {
	await page.waitForURL((url) => url.pathname !== '/login');
	const { pathname } = new URL(page.url());
	if (pathname === '/login/enrol') {
		await enrol(page, email);
		await page.getByRole('link', { name: 'I have saved them — continue' }).click();
	} else if (pathname === '/login/code') {
		await page.getByLabel('Code from your app').fill(await nextCode(email));
		await page.getByRole('button', { name: 'Continue' }).click();
	}
}
