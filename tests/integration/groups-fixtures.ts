// Shared set-up for the groups integration tests: people, a group, members who joined by invitation.
// Users are inserted directly (no argon2) because these tests are about groups, not passwords.
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { db } from '$lib/server/db';
import { generateId } from '$lib/server/db/ids';
import { auditEvent, user, type PracticeRole } from '$lib/server/db/schema';
import { createGroup } from '$lib/server/groups/groups';
import { getCurrentAgreement } from '$lib/server/groups/agreements';
import { acceptInvitation, createInvitation } from '$lib/server/invitations';

export const ORIGIN = 'http://hearth.test';

/** Distinctive strings, so a test can prove none of them reached the audit log. */
export const personal = {
	staffName: 'Therapist Rowan Quill',
	memberName: 'Member Juniper Wrenfield',
	typedName: 'Juniper Q. Wrenfield',
	email: 'juniper.wrenfield@example.org',
	note: 'Hi Juniper, lovely to meet you at intake',
	groupName: 'Thursday Evening Circle',
	agreementText: 'What happens in the Thursday circle stays there.'
};

export async function makeUser(role: PracticeRole, displayName = personal.memberName) {
	const [created] = await db
		.insert(user)
		.values({ id: generateId(), email: `${generateId()}@example.org`, displayName, passwordHash: 'x', role })
		.returning();
	return created;
}

export async function makeGroup(options: { capacity?: number } = {}) {
	const facilitator = await makeUser('staff', personal.staffName);
	const created = await createGroup({
		creatorId: facilitator.id,
		creatorKind: 'therapist',
		name: personal.groupName,
		description: 'Prep, four journeys and integration.',
		capacity: options.capacity ?? 6,
		timeZone: 'Europe/Berlin',
		agreementBody: personal.agreementText,
		program: { firstDate: '2030-03-05', time: '18:30', intervalDays: 7 }
	});
	return { group: created, facilitator };
}

export function tokenOf(link: string): string {
	return link.slice(link.lastIndexOf('/') + 1);
}

/** A new member who joined through an invitation and signed the agreement in force. */
export async function joinGroup(groupId: string, facilitatorId: string) {
	const member = await makeUser('member');
	const invite = await createInvitation({
		groupId,
		actorId: facilitatorId,
		email: '',
		note: personal.note,
		origin: ORIGIN
	});
	const agreement = await getCurrentAgreement(groupId);
	await acceptInvitation({
		token: tokenOf(invite.link),
		userId: member.id,
		typedName: personal.typedName,
		agreementVersion: agreement!.version
	});
	return member;
}

export async function readAudit() {
	return db.select().from(auditEvent).orderBy(asc(auditEvent.id));
}

export async function readAuditFor(groupId: string) {
	return db.select().from(auditEvent).where(eq(auditEvent.groupId, groupId)).orderBy(asc(auditEvent.id));
}

/** Fails when any audit row carries a name, an address, a note or agreement text. */
export async function expectNoPersonalTextInAudit(extra: string[] = []) {
	const serialised = JSON.stringify(await readAudit()).toLowerCase();
	for (const secret of [...Object.values(personal), ...extra]) {
		expect(serialised).not.toContain(secret.toLowerCase());
	}
	for (const word of ['juniper', 'rowan', 'thursday', '@example.org']) expect(serialised).not.toContain(word);
}
