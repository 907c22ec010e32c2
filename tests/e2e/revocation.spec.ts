import { expect, test } from '@playwright/test';
import { formCircle, openBoard, thread } from './support/circle';
import { expectAccessible, screenshotBothWidths } from './support/look';

// A revoked tab forgets. When a member's access ends while their board is open (removed, a new agreement
// to sign, signed out), the tab drops what it showed, explains calmly, and shows the way forward.

test('removed, unsigned and signed-out members’ open tabs keep nothing of the board', async ({ browser }) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: 'Tuesday circle', facilitator: 'Fran', members: ['Sam', 'Alex'] });
	const { groupId } = circle;
	const fran = circle.facilitator.page;
	const [sam, alex] = circle.members.map((member) => member.page);

	await Promise.all([openBoard(fran, groupId), openBoard(sam, groupId), openBoard(alex, groupId)]);
	const words = 'What I carry from this week is a quiet kind of hope.';
	await sam.getByLabel('Share with the group').fill(words);
	await sam.getByRole('button', { name: 'Post to the group' }).click();
	await expect(thread(alex, words)).toBeVisible();
	await expect(thread(fran, words)).toBeVisible();

	// Fran removes Alex (in another tab of her own); Alex's open board closes and keeps nothing.
	const franMembers = await circle.facilitator.context.newPage();
	await franMembers.goto(`/groups/${groupId}/members`);
	const alexRow = franMembers.getByRole('listitem').filter({ hasText: 'Alex' }).first();
	await alexRow.getByText('Remove…').click();
	await alexRow.getByRole('button', { name: 'Remove Alex' }).click();
	await expect(franMembers.getByText('Removed. Their access ended immediately.')).toBeVisible();
	await expect(alex).toHaveURL(/\/closed\?reason=no-access$/);
	await expect(alex.getByRole('heading', { name: 'This space is closed to you now' })).toBeVisible();
	await expect(alex.locator('body')).not.toContainText(words);
	await expectAccessible(alex);
	await screenshotBothWidths(alex, 'closed-removed');
	// Back does not bring the board back from the browser's memory.
	await alex.goBack().catch(() => {});
	await expect(alex.locator('body')).not.toContainText(words);

	// A new agreement: Sam's open board closes and asks for the signature; the line to Fran stays open.
	await franMembers.goto(`/groups/${groupId}/agreement`);
	await franMembers
		.getByLabel('Agreement text')
		.fill('What is shared in this circle stays in this circle, also in alumni time.');
	await franMembers.getByRole('button', { name: 'Publish a new version' }).click();
	await expect(sam).toHaveURL(new RegExp(`/groups/${groupId}/agreement$`));
	await expect(sam.getByRole('heading', { name: 'The agreement has changed' })).toBeVisible();
	await expect(sam.locator('body')).not.toContainText(words);
	await sam.getByRole('link', { name: 'write to your facilitators' }).click();
	await expect(sam.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
	await expect(fran.getByText(words)).toBeVisible();

	// Sam signs out in another tab: the open care page closes too and offers to sign in again.
	const samOther = await circle.members[0].context.newPage();
	await samOther.goto('/');
	await samOther.getByRole('button', { name: 'Sign out' }).click();
	await expect(sam).toHaveURL(/\/closed\?reason=signed-out$/);
	await expect(sam.getByRole('heading', { name: 'You have been signed out' })).toBeVisible();
	await expect(sam.getByRole('link', { name: 'Sign in again' })).toBeVisible();
	await expectAccessible(sam);
	await screenshotBothWidths(sam, 'closed-signed-out');

	await circle.close();
});
