import type { CoolOffWindow } from '$lib/board/cool-off';
import type { ParsedDocumentName } from '$lib/board/document-names';

/** What the groups domain says about one person in one group (src/lib/server/groups/access.ts). */
export interface GroupAccess {
	groupId: string;
	userId: string;
	role: 'facilitator' | 'member';
	lifecycle: 'forming' | 'active' | 'alumni' | 'archived';
	muted: boolean;
	canWrite: boolean;
	/** A member who has not signed the agreement in force: no group content until they do. */
	needsSignature: boolean;
}

export type GetGroupAccess = (userId: string, groupId: string) => Promise<GroupAccess | null>;

/** A clinical lead's open emergency access to a group (src/lib/server/emergency-access/grants.ts), or null. */
export type GetEmergencyGrant = (userId: string, groupId: string) => Promise<{ id: string; endsAt: Date } | null>;

/** The group's cool-off windows after its journeys (server/cool-off). */
export type GetCoolOffWindows = (groupId: string) => Promise<readonly CoolOffWindow[]>;

/** What a user may do with one open document. */
export interface DocumentGrant {
	/** The role the change policy judges their updates by (a journal's owner counts as a member). */
	role: 'facilitator' | 'member';
	canWrite: boolean;
	/**
	 * Held through emergency access, not membership: always read-only, ends by itself at `until` (ms), and
	 * its holder is not present to the group (their awareness is dropped).
	 */
	emergency?: { grantId: string; until: number };
	/** A member on the group board: when their new posts wait in their journal instead (board/cool-off.ts). */
	coolOff?: readonly CoolOffWindow[];
}

/**
 * A document may be opened with a grant, or not: `forbidden` also answers for groups that do not exist,
 * so a refusal never tells whether a group is there; `unsigned` is a member who must first sign the
 * agreement in force, the same rule the pages apply with `requireGroupMember`.
 */
export type DocumentAccess = { ok: true; grant: DocumentGrant } | { ok: false; why: 'forbidden' | 'unsigned' };

const forbidden: DocumentAccess = { ok: false, why: 'forbidden' };
const granted = (grant: DocumentGrant): DocumentAccess => ({ ok: true, grant });

/**
 * Who may open which document (DESIGN.md, "Architecture").
 *
 * Writing follows the groups domain's `canWrite` on the group board and its archives. The care document is a member's line
 * to their facilitators ("support now"), so muting, which silences someone on the shared board, does not
 * close it, and neither does an agreement waiting to be signed: it holds only their own words and their
 * facilitators' replies, and reaching the facilitators in a crisis must stay possible. Only an archived
 * group closes it. The journal belongs to its owner alone, always writable.
 *
 * Someone who is not in the group may read its board (and its archives), never write, while they hold
 * emergency access (docs/emergency-access.md); care threads and the staff space stay closed to them.
 */
export async function getDocumentAccess(
	userId: string,
	document: ParsedDocumentName,
	getGroupAccess: GetGroupAccess,
	more: { getEmergencyGrant?: GetEmergencyGrant; getCoolOffWindows?: GetCoolOffWindows } = {}
): Promise<DocumentAccess> {
	switch (document.kind) {
		case 'journal':
			return document.userId === userId ? granted({ role: 'member', canWrite: true }) : forbidden;
		case 'group':
		case 'archive': {
			// Archives take no new threads at all, so the cool-off only matters on the board itself. It is
			// read beside the membership (one round trip, not two) and used only for a member.
			const [access, coolOff] = await Promise.all([
				getGroupAccess(userId, document.groupId),
				document.kind === 'group' ? more.getCoolOffWindows?.(document.groupId) : undefined
			]);
			if (!access) {
				const emergency = await more.getEmergencyGrant?.(userId, document.groupId);
				if (!emergency) return forbidden;
				// The board as its facilitators see it, read-only.
				return granted({
					role: 'facilitator',
					canWrite: false,
					emergency: { grantId: emergency.id, until: emergency.endsAt.getTime() }
				});
			}
			if (access.needsSignature) return { ok: false, why: 'unsigned' };
			if (coolOff && access.role === 'member')
				return granted({ role: access.role, canWrite: access.canWrite, coolOff });
			return granted({ role: access.role, canWrite: access.canWrite });
		}
		case 'staff': {
			const access = await getGroupAccess(userId, document.groupId);
			if (access?.role !== 'facilitator') return forbidden;
			return granted({ role: 'facilitator', canWrite: access.lifecycle !== 'archived' });
		}
		case 'care': {
			const access = await getGroupAccess(userId, document.groupId);
			if (!access) return forbidden;
			const writable = access.lifecycle !== 'archived';
			if (document.userId === userId) {
				return access.role === 'member' ? granted({ role: 'member', canWrite: writable }) : forbidden;
			}
			if (access.role !== 'facilitator') return forbidden;
			// Only the care documents of people who are in the group: no documents for arbitrary ids.
			const subject = await getGroupAccess(document.userId, document.groupId);
			return subject?.role === 'member' ? granted({ role: 'facilitator', canWrite: writable }) : forbidden;
		}
	}
}
