import type { ParsedDocumentName } from '$lib/board/document-names';

/** What the groups domain says about one person in one group (src/lib/server/groups/access.ts). */
export interface GroupAccess {
	groupId: string;
	userId: string;
	role: 'facilitator' | 'member';
	lifecycle: 'forming' | 'active' | 'alumni' | 'archived';
	muted: boolean;
	canWrite: boolean;
}

export type GetGroupAccess = (userId: string, groupId: string) => Promise<GroupAccess | null>;

/** What a user may do with one open document. */
export interface DocumentGrant {
	/** The role the change policy judges their updates by (a journal's owner counts as a member). */
	role: 'facilitator' | 'member';
	canWrite: boolean;
}

/**
 * Who may open which document (DESIGN.md, "Architecture"); null means not at all, and is also the answer
 * for groups that do not exist, so a refusal never tells whether a group is there.
 *
 * Writing follows the groups domain's `canWrite` on the group board. The care document is a member's line
 * to their facilitators ("support now"), so muting, which silences someone on the shared board, does not
 * close it; only an archived group does. The journal belongs to its owner alone, always writable.
 */
export async function getDocumentGrant(
	userId: string,
	document: ParsedDocumentName,
	getGroupAccess: GetGroupAccess
): Promise<DocumentGrant | null> {
	switch (document.kind) {
		case 'journal':
			return document.userId === userId ? { role: 'member', canWrite: true } : null;
		case 'group': {
			const access = await getGroupAccess(userId, document.groupId);
			return access ? { role: access.role, canWrite: access.canWrite } : null;
		}
		case 'staff': {
			const access = await getGroupAccess(userId, document.groupId);
			if (access?.role !== 'facilitator') return null;
			return { role: 'facilitator', canWrite: access.lifecycle !== 'archived' };
		}
		case 'care': {
			const access = await getGroupAccess(userId, document.groupId);
			if (!access) return null;
			const writable = access.lifecycle !== 'archived';
			if (document.userId === userId) {
				return access.role === 'member' ? { role: 'member', canWrite: writable } : null;
			}
			if (access.role !== 'facilitator') return null;
			// Only the care documents of people who are in the group: no documents for arbitrary ids.
			const subject = await getGroupAccess(document.userId, document.groupId);
			return subject?.role === 'member' ? { role: 'facilitator', canWrite: writable } : null;
		}
	}
}
