// Invitation email against a tiny SMTP server (tests/support/fake-smtp.ts), so the test reads exactly
// what would leave the practice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useFakeSmtpServer } from '../support/fake-smtp';

const getServer = useFakeSmtpServer({ beforeAll, afterAll });

it('mails the link with a subject and body that name no group and no person', async () => {
	const { createInvitation } = await import('$lib/server/invitations');
	const { ORIGIN, makeGroup, personal } = await import('./groups-fixtures');
	const { group, facilitator } = await makeGroup();

	const created = await createInvitation({
		groupId: group.id,
		actorId: facilitator.id,
		email: personal.email,
		note: personal.note,
		origin: ORIGIN
	});

	expect(created.mail).toBe('sent');
	expect(getServer().received).toHaveLength(1);
	const [message] = getServer().received;
	expect(message.to.join()).toContain(personal.email);
	expect(message.data).toMatch(/^Subject: You have an invitation$/m);
	// Quoted-printable may wrap long lines; unwrap before looking for the link.
	const body = message.data.replace(/=\r\n/g, '').replace(/=3D/g, '=');
	expect(body).toContain(created.link);
	for (const secret of [
		personal.groupName,
		personal.staffName,
		personal.note,
		personal.memberName,
		'Juniper',
		'Rowan'
	]) {
		expect(message.data).not.toContain(secret);
	}
});

it('still gives the facilitator the link when the mail server is unreachable', async () => {
	const { createInvitation } = await import('$lib/server/invitations');
	const { getConfig } = await import('$lib/server/config');
	const { ORIGIN, makeGroup, personal } = await import('./groups-fixtures');
	const { group, facilitator } = await makeGroup();
	const config = getConfig();
	const working = config.smtpUrl;
	config.smtpUrl = 'smtp://127.0.0.1:1';
	try {
		const created = await createInvitation({
			groupId: group.id,
			actorId: facilitator.id,
			email: personal.email,
			note: '',
			origin: ORIGIN
		});
		expect(created.mail).toBe('failed');
		expect(created.link).toMatch(/^http:\/\/hearth\.test\/invite\/[a-z2-7]{32}$/);
	} finally {
		config.smtpUrl = working;
	}
});
