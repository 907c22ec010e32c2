/*
 * "Message my facilitators now": a member's urgent message goes into their care space (their line to
 * the facilitators), an alert goes into the staff space so a facilitator's open staff page shows it at
 * once, each facilitator gets a notification row, and — when SMTP is configured — an email that names no
 * person, no group and no content.
 *
 * The message and its alert are one write (changeDocuments: one statement over both documents), so a
 * member is never told "sent" for words no facilitator was alerted to, and an alert never points at words
 * that were not stored. Email goes out after the request has returned: a mail server that hangs must not
 * keep a person in crisis waiting, and each send is bounded (mail/index.ts). How it went is written onto
 * the alert (`email`: sending → sent | failed), where every facilitator sees it; the log gets counts and
 * an error code, never an address or a word of the message.
 */
import { inArray } from 'drizzle-orm';
import { careDocumentName, staffDocumentName } from '$lib/board/document-names';
import { createPost, describeBodyProblem } from '$lib/board/posts';
import { isFlag, type Flag } from '$lib/board/schema';
import { recordAudit } from '../audit';
import { getConfig } from '../config';
import { db } from '../db';
import { generateId } from '../db/ids';
import { user } from '../db/schema';
import { getGroupAccess, listFacilitatorIds } from '../groups/access';
import { NotInGroupError } from '../groups/errors';
import { notifyFacilitators } from '../moderation/flags';
import { ModerationError } from '../moderation/errors';
import { createMailTransport, isMailConfigured } from '../mail';
import { changeDocument, changeDocuments } from '../realtime/server-writes';
import { log } from '../log';

export const URGENT_EMAIL_SUBJECT = 'An urgent message is waiting on Hearth';

export function composeUrgentEmail(origin: string | undefined) {
	const text = [
		'Hello,',
		'',
		'A member of one of your groups has sent an urgent message to their facilitators on Hearth.',
		'',
		origin ? `Sign in to read it: ${origin}` : 'Sign in to Hearth to read it.',
		'',
		'This email does not say who wrote or what was written, on purpose.'
	].join('\n');
	return { subject: URGENT_EMAIL_SUBJECT, text };
}

export type UrgentMessageResult = {
	postId: string;
	/** Emails to the facilitators are on their way (SMTP is configured and there is someone to tell). */
	emailing: boolean;
};

/**
 * Posts an urgent message from a member to the group's facilitators. Works for muted members too:
 * the care space is their line to the facilitators. Returns once the message and its alert are stored;
 * throws ModerationError (saying so, having stored neither) when they cannot be.
 */
export async function sendUrgentMessage(input: {
	groupId: string;
	userId: string;
	body: string;
}): Promise<UrgentMessageResult> {
	const access = await getGroupAccess(input.userId, input.groupId);
	if (access?.role !== 'member') throw new NotInGroupError();
	if (access.lifecycle === 'archived')
		throw new ModerationError('This group is archived. Please use the crisis lines above.');
	const problem = describeBodyProblem(input.body);
	if (problem) throw new ModerationError(problem);
	const document = careDocumentName(input.groupId, input.userId);
	const facilitatorIds = await listFacilitatorIds(input.groupId);
	const emailing = isMailConfigured() && facilitatorIds.length > 0;
	const alertId = generateId();
	let postId: string;
	try {
		postId = await changeDocuments([document, staffDocumentName(input.groupId)], ([care, staff]) => {
			const postId = createPost(care, { authorId: input.userId, body: input.body, kind: 'urgent' });
			const alert: Flag = { id: alertId, postId, document, flaggedBy: input.userId, at: Date.now(), status: 'open' };
			staff.getMap('flags').set(alertId, emailing ? { ...alert, email: 'sending' } : alert);
			return postId;
		});
	} catch (error) {
		log.error({ area: 'support', error }, 'an urgent message could not be stored');
		throw new ModerationError(
			'Your message could not be sent just now, and nothing was sent. Please try again, or use the crisis lines above.'
		);
	}
	// Stored: facilitators see the alert live. What follows must not turn that into an error for the member,
	// who would send again; a failure here is logged for the operator instead.
	try {
		await notifyFacilitators(input.groupId, 'urgent_message', input.userId);
		await recordAudit({
			action: 'support.urgent_message',
			actorId: input.userId,
			objectType: 'post',
			objectId: postId,
			groupId: input.groupId
		});
	} catch (error) {
		log.error({ area: 'support', error }, 'an urgent message was stored, but its notifications or audit record failed');
	}
	if (emailing) void emailFacilitators(input.groupId, alertId, facilitatorIds);
	return { postId, emailing };
}

/** Emails each facilitator (in parallel, one message each) and writes how it went onto the alert. Never throws. */
async function emailFacilitators(groupId: string, alertId: string, userIds: string[]): Promise<void> {
	let failed = userIds.length;
	try {
		const rows =
			userIds.length > 0 ? await db.select({ email: user.email }).from(user).where(inArray(user.id, userIds)) : [];
		const { mailFrom, origin } = getConfig();
		const transport = createMailTransport();
		try {
			const results = await Promise.allSettled(
				rows.map((row) => transport.sendMail({ from: mailFrom, to: row.email, ...composeUrgentEmail(origin) }))
			);
			failed = results.filter((result) => result.status === 'rejected').length + (userIds.length - rows.length);
			const firstFailure = results.find((result) => result.status === 'rejected');
			if (firstFailure) {
				log.error(
					{ area: 'support', failed, facilitators: userIds.length, error: firstFailure.reason },
					'urgent alert email failed'
				);
			}
		} finally {
			transport.close();
		}
	} catch (error) {
		log.error({ area: 'support', error }, 'urgent alert email could not be sent');
	}
	await markAlertEmail(groupId, alertId, userIds.length > 0 && failed === 0 ? 'sent' : 'failed').catch((error) =>
		log.error({ area: 'support', error }, 'recording how the urgent alert email went failed')
	);
}

async function markAlertEmail(groupId: string, alertId: string, email: 'sent' | 'failed'): Promise<void> {
	await changeDocument(staffDocumentName(groupId), (staff) => {
		const flags = staff.getMap('flags');
		const alert = flags.get(alertId);
		// A facilitator may have resolved it meanwhile: keep what they did, add only how the email went.
		if (isFlag(alert)) flags.set(alertId, { ...(alert as Flag), email } satisfies Flag);
	});
}
