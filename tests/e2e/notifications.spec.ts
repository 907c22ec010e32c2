import { expect, test } from '@playwright/test';
import { readE2eMail } from '../support/e2e-mail.js';
import { formCircle, openBoard, thread } from './support/circle';
import { expectAccessible, PHONE, screenshotBothWidths } from './support/look';

// Two members on their phones: Bea replies to Ada's post; Ada finds it under Notifications (the header
// says how many are new), opening the page changes nothing, "Mark as read" does; and the one email Hearth
// sent Ada says only that there is something new — no name, no group, no words.

const GROUP = 'Harbour Lights circle';
const POST = 'The lighthouse came back to me in the journey, steady and warm.';
const REPLY = 'I saw a lighthouse too, the same slow beam.';

test('a reply tells its author in Hearth and by an email that names nothing', async ({ browser }) => {
	test.setTimeout(240_000);
	const circle = await formCircle(browser, { name: GROUP, facilitator: 'Fenwick', members: ['Adelaide', 'Beatrix'] });
	try {
		const [ada, bea] = circle.members;
		await ada.page.setViewportSize(PHONE);
		await bea.page.setViewportSize(PHONE);

		await openBoard(ada.page, circle.groupId);
		await ada.page.getByLabel('Share with the group').fill(POST);
		await ada.page.getByRole('button', { name: 'Post to the group' }).click();
		await expect(ada.page.getByTestId('save-state')).toHaveText('Saved');

		await openBoard(bea.page, circle.groupId);
		await thread(bea.page, POST).getByRole('button', { name: 'Reply to Adelaide' }).click();
		await thread(bea.page, POST).getByLabel('Reply to Adelaide').fill(REPLY);
		await thread(bea.page, POST).getByRole('button', { name: 'Reply', exact: true }).click();
		await expect(bea.page.getByTestId('save-state')).toHaveText('Saved');

		// Ada's header counts it while she stays on the board (the notification is written just after the
		// reply is stored): an open page re-reads the count when the tab comes back into view.
		const link = ada.page.getByRole('link', { name: 'Notifications (1 unread)' });
		await expect(async () => {
			await ada.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
			await expect(link).toBeVisible({ timeout: 1_000 });
		}).toPass({ timeout: 30_000 });
		expect(new URL(ada.page.url()).pathname).toBe(`/groups/${circle.groupId}/board`);
		// Bea, who wrote the reply, is told nothing.
		await bea.page.goto('/notifications');
		await expect(bea.page.getByText('Nothing new.')).toBeVisible();
		// The count the header re-reads is each person's own, and nobody's without signing in.
		expect(await (await bea.page.request.get('/notifications/unread')).json()).toEqual({ unread: 0 });
		expect(await (await ada.page.request.get('/notifications/unread')).json()).toEqual({ unread: 1 });
		const signedOut = await browser.newContext();
		const anonymous = await signedOut.request.get('/notifications/unread', { maxRedirects: 0 });
		expect(anonymous.status()).toBe(303);
		await signedOut.close();

		await link.click();
		const item = ada.page.getByTestId('notification');
		await expect(item).toHaveCount(1);
		await expect(item).toContainText('A reply to your post');
		await expect(item).toContainText(GROUP);
		await expect(item).not.toContainText(REPLY);
		await expect(item).not.toContainText('Beatrix');
		await expectAccessible(ada.page);
		await screenshotBothWidths(ada.page, 'notifications-unread');

		// Looking is not reading: a reload and a plain request leave it new.
		await ada.page.reload();
		expect((await ada.page.request.get('/notifications')).status()).toBe(200);
		await ada.page.reload();
		await expect(item).toHaveAttribute('data-read', 'no');
		await expect(ada.page.getByTestId('unread-count')).toHaveText('1');

		await item.getByRole('button', { name: 'Mark as read' }).click();
		await expect(ada.page.getByText('Marked as read.')).toBeVisible();
		await expect(item).toHaveAttribute('data-read', 'yes');
		await expect(ada.page.getByTestId('unread-count')).toHaveCount(0);
		await expect(ada.page.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();
		await screenshotBothWidths(ada.page, 'notifications-read');

		// It leads to the board, where the reply is.
		await item.getByRole('link', { name: 'Open the board' }).click();
		await expect(thread(ada.page, POST).getByTestId('reply')).toContainText(REPLY);

		// One email to Ada, and it names nothing.
		const toAda = () => readE2eMail().filter((mail) => mail.to.some((line) => line.includes(ada.person.email)));
		await expect.poll(() => toAda().length, { timeout: 30_000 }).toBe(1);
		const [mail] = toAda();
		const body = mail.data.slice(mail.data.indexOf('\r\n\r\n'));
		expect(mail.data).toContain('Subject: There is something new for you in Hearth');
		expect(body).toContain('There is something new for you in Hearth.');
		for (const secret of ['Adelaide', 'Beatrix', 'Fenwick', GROUP, 'lighthouse', circle.groupId]) {
			expect(mail.data).not.toContain(secret);
		}
		expect(readE2eMail().filter((m) => m.to.some((line) => line.includes(bea.person.email)))).toEqual([]);

		// Ada would rather hear once a day, and never at night.
		await ada.page.goto('/account');
		const settings = ada.page.getByRole('region', { name: 'Email about notifications' });
		await settings.getByLabel('Once a day').check();
		await settings.getByLabel('From').fill('21:30');
		await settings.getByLabel('Until').fill('07:30');
		await settings.getByLabel('Your time zone').selectOption('Europe/Berlin');
		await settings.getByRole('button', { name: 'Save' }).click();
		await expect(settings.getByText('Saved. Hearth emails you this way from now on.')).toBeVisible();
		await ada.page.reload();
		await expect(settings.getByLabel('Once a day')).toBeChecked();
		await expect(settings.getByLabel('From')).toHaveValue('21:30');
		await settings.scrollIntoViewIfNeeded();
		await ada.page.screenshot({ path: '.tmp/screens/notification-settings-phone.png' });
		await expectAccessible(ada.page);
	} finally {
		await circle.close();
	}
});
