/*
 * Flags: any member asks the facilitators to look at a post or reply on the group board. Members cannot
 * open the staff space, so the flag is written there by the server (server-writes.ts); the database keeps
 * that it happened (moderation_flag, without the reason's words) and each facilitator gets a notification.
 */
import { and, eq } from 'drizzle-orm';
import { staffDocumentName } from '$lib/board/document-names';
import { readPost } from '$lib/board/posts';
import { isFlag, type Flag } from '$lib/board/schema';
import { recordAudit } from '../audit';
import { db } from '../db';
import { generateId } from '../db/ids';
import { moderationFlag } from '../db/schema';
import { notify } from '../notifications';
import { getGroupAccess, listFacilitatorIds } from '../groups/access';
import { NotInGroupError } from '../groups/errors';
import { changeDocument, readDocument } from '../realtime/server-writes';
import { ModerationError } from './errors';
import { checkInput } from '../forms';
import { moderationNote } from './forms';
import { boardDocumentOf, requireFacilitatorAccess } from './posts';

/** Flags a post for the facilitators' review. Any member of the group may, muted ones included. */
export async function flagPost(input: {
	groupId: string;
	userId: string;
	postId: string;
	/** The board document the post is on: the group's board (the default) or one of its archives. */
	document?: string;
	reason?: string;
}): Promise<string> {
	const access = await getGroupAccess(input.userId, input.groupId);
	if (!access) throw new NotInGroupError();
	const reason = checkInput(moderationNote, input.reason ?? '', (message) => new ModerationError(message));
	const document = boardDocumentOf(input.groupId, input.document);
	const doc = await readDocument(document);
	try {
		if (readPost(doc.getMap('posts').get(input.postId))?.state !== 'live') {
			throw new ModerationError('That post is no longer on the board.');
		}
	} finally {
		doc.destroy();
	}
	const id = generateId();
	const flag: Flag = { id, postId: input.postId, document, flaggedBy: input.userId, at: Date.now(), status: 'open' };
	if (reason) flag.reason = reason;
	await db
		.insert(moderationFlag)
		.values({ id, groupId: input.groupId, document, postId: input.postId, flaggedBy: input.userId });
	await changeDocument(staffDocumentName(input.groupId), (staff) => staff.getMap('flags').set(id, flag));
	await notifyFacilitators(input.groupId, 'flag', input.userId);
	await recordAudit({
		action: 'post.flagged',
		actorId: input.userId,
		objectType: 'post',
		objectId: input.postId,
		groupId: input.groupId,
		detail: { flag_id: id }
	});
	return id;
}

/** A facilitator marks a flag (or an urgent alert) as dealt with. */
export async function resolveFlag(input: { groupId: string; actorId: string; flagId: string }): Promise<void> {
	await requireFacilitatorAccess(input.groupId, input.actorId);
	const found = await changeDocument(staffDocumentName(input.groupId), (staff) => {
		const flags = staff.getMap('flags');
		const value = flags.get(input.flagId);
		if (!isFlag(value)) return false;
		const flag = value as Flag;
		if (flag.status === 'resolved') return true;
		flags.set(input.flagId, {
			...flag,
			status: 'resolved',
			resolvedBy: input.actorId,
			resolvedAt: Date.now(),
			// An urgent alert is answered, not judged; a flag left as it is says so.
			...(flag.document.startsWith('care:') ? {} : { outcome: 'kept' as const })
		} satisfies Flag);
		return true;
	});
	if (!found) throw new ModerationError('That flag is no longer in the queue.');
	await db
		.update(moderationFlag)
		.set({ status: 'resolved' })
		.where(and(eq(moderationFlag.id, input.flagId), eq(moderationFlag.groupId, input.groupId)));
	await recordAudit({
		action: 'flag.resolved',
		actorId: input.actorId,
		objectType: 'flag',
		objectId: input.flagId,
		groupId: input.groupId
	});
}

/**
 * One notification per active facilitator of the group: what kind, never who or what. Urgent messages are
 * emailed by support/urgent.ts itself, at once and whatever the settings; flags by each one's settings.
 */
export async function notifyFacilitators(
	groupId: string,
	kind: 'flag' | 'urgent_message',
	actorId?: string
): Promise<string[]> {
	const facilitators = await listFacilitatorIds(groupId);
	await notify(facilitators, kind, groupId, { actorId, space: 'staff', email: kind !== 'urgent_message' });
	return facilitators;
}
