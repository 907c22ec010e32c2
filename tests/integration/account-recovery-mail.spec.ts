// The password reset email against a tiny SMTP server (tests/support/fake-smtp.ts): what leaves the practice
// names nobody and no group; the link is the only thing that varies.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useFakeSmtpServer } from '../support/fake-smtp';

const getServer = useFakeSmtpServer({ beforeAll, afterAll });

it('mails a facilitator’s reset link to the member in words that name no group and no person', async () => {
	const { issuePasswordReset } = await import('$lib/server/auth/password-reset');
	const { ORIGIN, joinGroup, makeGroup, personal } = await import('./groups-fixtures');
	const { group, facilitator } = await makeGroup();
	const member = await joinGroup(group.id, facilitator.id);

	const issued = await issuePasswordReset({
		issuer: { kind: 'facilitator', actorId: facilitator.id, groupId: group.id },
		userId: member.id,
		origin: ORIGIN
	});

	expect(issued.mail).toBe('sent');
	const message = getServer().received.at(-1)!;
	expect(message.to.join()).toContain(member.email);
	expect(message.data).toMatch(/^Subject: A link to set a new password$/m);
	const body = message.data.replace(/=\r\n/g, '').replace(/=3D/g, '=');
	expect(body).toContain(issued.link);
	for (const secret of [personal.groupName, personal.staffName, personal.memberName, 'Juniper', 'Rowan']) {
		expect(message.data).not.toContain(secret);
	}
});
