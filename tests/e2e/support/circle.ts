import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createStaff, newPerson, openSignedIn, type Person } from './people';

// A circle for journeys that need one: a facilitator (therapist) and members who joined by invitation
// and signed the agreement, each on their own device.

export async function formGroup(page: Page, name: string): Promise<string> {
	await page.goto('/groups/new');
	await page.getByLabel('Name', { exact: true }).fill(name);
	await page.getByLabel('Time zone').selectOption('Europe/Berlin');
	await page.getByLabel('Time', { exact: true }).fill('18:30');
	await page.getByLabel('First session').fill(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
	await page.getByRole('button', { name: 'Form the group' }).click();
	await expect(page.getByText('Your group is ready.')).toBeVisible();
	return /\/groups\/([a-z0-9]+)\//.exec(page.url())![1];
}

export async function invite(page: Page, groupId: string): Promise<string> {
	await page.goto(`/groups/${groupId}/members`);
	await page.getByRole('button', { name: 'Create invitation' }).click();
	const link = page.getByTestId('invite-link');
	await expect(link).toBeVisible();
	return link.inputValue();
}

/** A new person opens the invitation on their own device, creates an account and signs the agreement. */
export async function join(
	browser: Browser,
	link: string,
	person: Person
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto(link);
	const form = page.locator('form', { has: page.getByRole('button', { name: 'Create account and continue' }) });
	await form.getByLabel('Name in the group').fill(person.displayName);
	await form.getByLabel('Email').fill(person.email);
	await form.getByLabel('Password').fill(person.password);
	await form.getByRole('button', { name: 'Create account and continue' }).click();
	await page.getByLabel('I have read this agreement').check();
	await page.getByLabel('Type your name to sign').fill(person.displayName);
	await page.getByRole('button', { name: 'Sign and join the group' }).click();
	await expect(page).toHaveURL(/\/groups\/[a-z0-9]+$/);
	return { context, page };
}

export type Circle = {
	groupId: string;
	facilitator: { person: Person; context: BrowserContext; page: Page };
	members: { person: Person; context: BrowserContext; page: Page }[];
	close(): Promise<void>;
};

/** A new group with a facilitator and members (named as given) who have all signed, each signed in. */
export async function formCircle(
	browser: Browser,
	options: { name: string; facilitator: string; members: string[] }
): Promise<Circle> {
	const account = await createStaff(browser, options.facilitator);
	const facilitator = { person: account, ...(await openSignedIn(browser, account)) };
	const groupId = await formGroup(facilitator.page, options.name);
	const members: Circle['members'] = [];
	for (const name of options.members) {
		const person = newPerson(name);
		members.push({ person, ...(await join(browser, await invite(facilitator.page, groupId), person)) });
	}
	return {
		groupId,
		facilitator,
		members,
		async close() {
			for (const device of [facilitator, ...members]) await device.context.close();
		}
	};
}

/** Opens the group's board and waits until it is live. */
export async function openBoard(page: Page, groupId: string, query = ''): Promise<void> {
	await page.goto(`/groups/${groupId}/board${query}`);
	await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
}

/** Sets a session's state on the schedule page (e.g. marks Journey 1 as in progress). */
export async function setSessionState(
	page: Page,
	groupId: string,
	label: string,
	state: 'Upcoming' | 'In progress' | 'Done'
): Promise<void> {
	await page.goto(`/groups/${groupId}/schedule`);
	const details = page.locator('details').filter({ has: page.locator('summary', { hasText: label }) });
	await details.locator('summary').click();
	const form = details.locator('form');
	await form.getByLabel('State').selectOption({ label: state });
	await form.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByText('Saved.')).toBeVisible();
}

/** A thread on the board or in a space, found by words in it. */
export function thread(page: Page, text: string) {
	return page.getByTestId('thread').filter({ hasText: text });
}

/** Everything the page's WebSocket connections receive, as text (Yjs strings are UTF-8 in the frames). */
export function recordFrames(page: Page): string[] {
	const received: string[] = [];
	page.on('websocket', (socket) => {
		socket.on('framereceived', ({ payload }) => {
			received.push(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
		});
	});
	return received;
}
