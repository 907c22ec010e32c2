// Telling a group's facilitators that their board was opened in an emergency. Every way of telling them
// goes through notifyEmergencyAccess, so there is one place to change when notifications change.
import { listFacilitatorIds } from '../groups/access';
import { isMailConfigured, sendEmergencyAccessEmail } from '../mail';
import { log } from '../log';
import { db } from '../db';
import { generateId } from '../db/ids';
import { notification, user } from '../db/schema';
import { and, inArray, isNull } from 'drizzle-orm';

/**
 * A notification row for each active facilitator of the group (kind and group only: it shows on their
 * staff space), and an email that names no person, group or content. Email failures are logged, never
 * thrown: the grant is already recorded and the notification rows are what the facilitators rely on.
 * Returns the facilitators' ids.
 */
export async function notifyEmergencyAccess(groupId: string, origin: string | null): Promise<string[]> {
	const facilitators = await listFacilitatorIds(groupId);
	if (facilitators.length === 0) return facilitators;
	await db
		.insert(notification)
		.values(facilitators.map((userId) => ({ id: generateId(), userId, groupId, kind: 'emergency_access' as const })));
	if (isMailConfigured()) {
		const addresses = await db
			.select({ email: user.email })
			.from(user)
			.where(and(inArray(user.id, facilitators), isNull(user.deletedAt)));
		const link = origin ? new URL('/', origin).href : null;
		await Promise.all(
			addresses.map(({ email }) =>
				sendEmergencyAccessEmail({ to: email, link }).catch((error) =>
					log.error({ area: 'emergency-access', error }, 'emailing a facilitator about emergency access failed')
				)
			)
		);
	}
	return facilitators;
}
