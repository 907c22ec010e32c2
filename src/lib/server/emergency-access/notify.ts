// Telling a group's facilitators that their board was opened in an emergency. Every way of telling them
// goes through notifyEmergencyAccess, so there is one place to change when notifications change.
import { and, inArray, isNull } from 'drizzle-orm';
import { db } from '../db';
import { user } from '../db/schema';
import { listFacilitatorIds } from '../groups/access';
import { log } from '../log';
import { isMailConfigured, sendEmergencyAccessEmail } from '../mail';
import { notify } from '../notifications';

/**
 * An urgent notification for each active facilitator of the group (it points to their staff space), and
 * at once, whatever their email settings, an email that names no person, group or content: someone
 * reading their circle's board is not news that can wait for a digest. Email failures are logged, never
 * thrown: the grant is already recorded and the notifications are what the facilitators rely on.
 * Returns the facilitators' ids.
 */
export async function notifyEmergencyAccess(
	input: { groupId: string; grantId: string; leadId: string },
	origin: string | null
): Promise<string[]> {
	const facilitators = await listFacilitatorIds(input.groupId);
	if (facilitators.length === 0) return facilitators;
	await notify(facilitators, 'emergency_access', input.groupId, {
		actorId: input.leadId,
		space: 'staff',
		targetId: input.grantId,
		email: false
	});
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
