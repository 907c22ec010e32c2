import { getDocumentGroupId, parseDocumentName, type ParsedDocumentName } from '$lib/board/document-names';
import { recordAudit, recordRefusal } from '.';

/**
 * Records a facilitator opening a member's care thread or the staff space. Called by the realtime server
 * when the socket is admitted, before any byte of the document is sent: that is when content leaves the
 * server, once per open (a page load, or a hover that preloads one, records nothing).
 */
export async function recordDocumentOpened(userId: string, document: ParsedDocumentName): Promise<void> {
	if (document.kind === 'care' && document.userId !== userId) {
		await recordAudit({
			action: 'care.viewed',
			actorId: userId,
			objectType: 'user',
			objectId: document.userId,
			groupId: document.groupId
		});
	} else if (document.kind === 'staff') {
		await recordAudit({
			action: 'staff_space.viewed',
			actorId: userId,
			objectType: 'group',
			objectId: document.groupId,
			groupId: document.groupId
		});
	}
}

/** A signed-in person's socket refused a document: recorded without the document's name (it names people). */
export async function recordRefusedSocket(userId: string, document: string, code: number): Promise<void> {
	const parsed = parseDocumentName(document);
	await recordRefusal({ actorId: userId, where: 'socket', target: parsed && getDocumentGroupId(parsed), code });
}
