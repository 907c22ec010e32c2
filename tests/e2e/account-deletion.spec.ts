import { expect, test } from '@playwright/test';
import { formCircle, openBoard, thread } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// A member deletes their account: the page says plainly what happens and what the practice keeps, a wrong
// password changes nothing, and then they are signed out for good while the group sees a calm tombstone
// in place of their post, with the reply to it kept. Their facilitator sees "A former member".

test('a member deletes their own account', async ({ browser }) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Leaving circle', facilitator: 'Fran', members: ['Sam', 'Alex'] });
	const [{ page: sam, person }, { page: alex }] = circle.members;
	const fran = circle.facilitator.page;
	const words = 'This circle helped me more than I can say.';

	await openBoard(sam, circle.groupId);
	await sam.getByLabel('Share with the group').fill(words);
	await sam.getByRole('button', { name: 'Post to the group' }).click();
	await expect(thread(sam, words)).toBeVisible();
	await expect(sam.getByTestId('save-state')).toHaveText('Saved');
	await openBoard(alex, circle.groupId);
	await thread(alex, words).getByRole('button', { name: 'Reply to Sam' }).click();
	await thread(alex, words).getByLabel('Reply to Sam').fill('We will miss you, Sam.');
	await thread(alex, words).getByRole('button', { name: 'Reply', exact: true }).click();
	await expect(thread(sam, words).getByTestId('reply')).toContainText('We will miss you');

	await sam.goto('/account');
	await sam.getByRole('link', { name: 'Delete my account…' }).click();
	await expect(sam.getByRole('heading', { name: 'Delete your account', level: 1 })).toBeVisible();
	await expect(sam.getByText('journal, private notes and intentions are erased')).toBeVisible();
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'account-delete');

	// A wrong password: nothing happens, and the page says what to do.
	await sam.getByLabel('Your password').fill('not my password');
	await sam.getByLabel(/I understand/).check();
	await sam.getByRole('button', { name: 'Delete my account' }).click();
	await expect(sam.getByRole('alert')).toContainText('did not match');
	await expect(thread(alex, words)).toBeVisible();

	await sam.getByLabel('Your password').fill(person.password);
	await sam.getByLabel(/I understand/).check();
	await sam.getByRole('button', { name: 'Delete my account' }).click();
	await expect(sam.getByRole('heading', { name: 'Your account is deleted' })).toBeVisible();
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'account-deleted');

	// Alex's open board: Sam's words are gone, the reply stays under a calm tombstone.
	await expect(alex.getByText('A former member’s words were removed')).toBeVisible();
	await expect(alex.getByText(words)).toHaveCount(0);
	await expect(alex.getByText('We will miss you, Sam.')).toBeVisible();
	await screenshotBothWidths(alex, 'account-deleted-board');

	// Sam cannot sign in again.
	await sam.goto('/login');
	await sam.getByLabel('Email').fill(person.email);
	await sam.getByLabel('Password').fill(person.password);
	await sam.getByRole('button', { name: 'Sign in' }).click();
	await expect(sam.getByRole('alert')).toBeVisible();
	await expect(sam).toHaveURL(/\/login/);

	await fran.goto(`/groups/${circle.groupId}/members`);
	await fran.getByText(/Former members/).click();
	await expect(fran.getByText('A former member')).toBeVisible();
	await circle.close();
});

test('a facilitator deletes the account of a member who is leaving', async ({ browser }) => {
	test.setTimeout(180_000);
	const circle = await formCircle(browser, { name: 'Farewell circle', facilitator: 'Fran', members: ['Kim'] });
	const fran = circle.facilitator.page;
	await fran.goto(`/groups/${circle.groupId}/members`);
	await fran.getByRole('link', { name: 'Delete account… Kim' }).click();
	await expect(fran.getByRole('heading', { name: 'Delete Kim’s account', level: 1 })).toBeVisible();
	await expectAccessible(fran);
	await screenshotBothWidths(fran, 'member-delete');
	await fran.getByLabel('Your password').fill(circle.facilitator.person.password);
	await fran.getByLabel(/I understand/).check();
	await fran.getByRole('button', { name: 'Delete Kim’s account' }).click();
	await expect(fran.getByText('The account is deleted')).toBeVisible();
	await expectAccessible(fran);
	await circle.close();
});
