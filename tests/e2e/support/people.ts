import fs from 'node:fs';
import path from 'node:path';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { passSecondFactor } from './second-factor';

/** The practice admin created by the first-run journey, which every other journey runs after. */
export const admin = {
	displayName: 'Morgan',
	email: 'morgan@practice.test',
	password: 'warm tea and quiet rooms'
};

export interface Person {
	displayName: string;
	email: string;
	password: string;
}

let counter = 0;

/** A person no other test uses, so journeys never depend on each other's data. */
export function newPerson(displayName: string): Person {
	counter += 1;
	const unique = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
	return {
		displayName,
		email: `${displayName.toLowerCase()}.${unique}@people.test`,
		password: 'a long calm passphrase'
	};
}

/**
 * The admin's own computer, signed in once by the first-run journey and kept: the admin opens Hearth in
 * nearly every journey, and signing in anew each time would spend a code from their app every time.
 */
export const ADMIN_DEVICE_FILE = path.resolve(import.meta.dirname, '../../../.tmp/e2e-admin-device.json');

/** Signs in with the password and then the second factor when Hearth asks for it (enrolling the first time). */
export async function signIn(page: Page, person: Pick<Person, 'email' | 'password'>): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('Email').fill(person.email);
	await page.getByLabel('Password').fill(person.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await passSecondFactor(page, person.email);
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** A new browser context (a separate person on a separate device), signed in. */
export async function openSignedIn(
	browser: Browser,
	person: Pick<Person, 'email' | 'password'>
): Promise<{ context: BrowserContext; page: Page }> {
	if (person.email === admin.email && fs.existsSync(ADMIN_DEVICE_FILE)) {
		const context = await browser.newContext({ storageState: ADMIN_DEVICE_FILE });
		const page = await context.newPage();
		await page.goto('/');
		if (await page.getByRole('button', { name: 'Sign out' }).isVisible()) return { context, page };
		await signIn(page, person);
		return { context, page };
	}
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, person);
	return { context, page };
}

/** Has the admin create a staff account (therapist or medical provider) and returns its credentials. */
export async function createStaff(browser: Browser, displayName: string): Promise<Person> {
	const staff = newPerson(displayName);
	const { context, page } = await openSignedIn(browser, admin);
	await page.goto('/admin/staff');
	const form = page.locator('form', { has: page.getByRole('button', { name: 'Create account' }) });
	await form.getByLabel('Name').fill(staff.displayName);
	await form.getByLabel('Email').fill(staff.email);
	await form.getByLabel('First password').fill(staff.password);
	await form.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByText(`${staff.displayName} can now sign in.`)).toBeVisible();
	await context.close();
	return staff;
}
