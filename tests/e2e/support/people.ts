import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

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

export async function signIn(page: Page, person: Pick<Person, 'email' | 'password'>): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('Email').fill(person.email);
	await page.getByLabel('Password').fill(person.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** A new browser context (a separate person on a separate device), signed in. */
export async function openSignedIn(
	browser: Browser,
	person: Pick<Person, 'email' | 'password'>
): Promise<{ context: BrowserContext; page: Page }> {
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
