/*
 * "Message my facilitators now": a member's urgent message goes into their care space (their line to
 * the facilitators), an alert goes into the staff space so a facilitator's open staff page shows it at
 * once, each facilitator gets a notification row, and — when SMTP is configured — an email that names no
 * person, no group and no content.
 */
import { inArray } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { careDocumentName, staffDocumentName } from '$lib/board/document-names';
import { createPost, describeBodyProblem } from '$lib/board/posts';
import type { Flag } from '$lib/board/schema';
import { recordAudit } from '../audit';
import { getConfig } from '../config';
import { db } from '../db';
import { generateId } from '../db/ids';
import { user } from '../db/schema';
import { getGroupAccess } from '../groups/access';
import { NotInGroupError } from '../groups/errors';
import { notifyFacilitators } from '../moderation/flags';
import { ModerationError } from '../moderation/errors';
import { changeDocument } from '../realtime/server-writes';

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

/**
 * Posts an urgent message from a member to the group's facilitators. Works for muted members too:
 * the care space is their line to the facilitators. Returns the post id.
 */
export async function sendUrgentMessage(input: { groupId: string; userId: string; body: string }): Promise<string> {
	const access = await getGroupAccess(input.userId, input.groupId);
	if (access?.role !== 'member') throw new NotInGroupError();
	if (access.lifecycle === 'archived') throw new ModerationError('This group is archived. Please use the crisis lines above.');
	const problem = describeBodyProblem(input.body);
	if (problem) throw new ModerationError(problem);
	const document = careDocumentName(input.groupId, input.userId);
	const postId = await changeDocument(document, (doc) => createPost(doc, { authorId: input.userId, body: input.body, kind: 'urgent' }));
	const alertId = generateId();
	const alert: Flag = { id: alertId, postId, document, flaggedBy: input.userId, at: Date.now(), status: 'open' };
	await changeDocument(staffDocumentName(input.groupId), (staff) => staff.getMap('flags').set(alertId, alert));
	const facilitators = await notifyFacilitators(input.groupId, 'urgent_message');
	await recordAudit({
		action: 'support.urgent_message',
		actorId: input.userId,
		objectType: 'post',
		objectId: postId,
		groupId: input.groupId
	});
	await emailFacilitators(facilitators);
	return postId;
}

async function emailFacilitators(userIds: string[]): Promise<void> {
	const { smtpUrl, mailFrom, origin } = getConfig();
	if (!smtpUrl || userIds.length === 0) return;
	const rows = await db.select({ email: user.email }).from(user).where(inArray(user.id, userIds));
	const transport = nodemailer.createTransport(smtpUrl);
	try {
		for (const row of rows) {
			// One failed address must not stop the others; the in-app alert has already gone out.
			await transport.sendMail({ from: mailFrom, to: row.email, ...composeUrgentEmail(origin) }).catch(() => {});
		}
	} finally {
		transport.close();
	}
}
