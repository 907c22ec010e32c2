import type { ParsedDocumentName } from '$lib/board/document-names';
import { recordAudit } from '.';

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
