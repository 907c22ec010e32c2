/*
 * Document names: the one place they are built and parsed.
 *
 * A Yjs document holds everything one audience may see (DESIGN.md, "Architecture"), so its name says
 * which audience that is:
 *
 *   group:<groupId>            the board: everyone in the group
 *   archive:<groupId>:<period> a finished part of the board, put away so that opening the board stays
 *                              quick for years: a program session (<period> = its id) or a quarter of
 *                              alumni time (<period> = e.g. 2026q3); everyone in the group
 *   care:<groupId>:<userId>    one member and the group's facilitators
 *   journal:<userId>           the member alone
 *   staff:<groupId>            the group's facilitators
 *
 * Names travel in the WebSocket URL (`/realtime/<name>`) and are the key the server authorises, loads and
 * stores by, so parsing is strict: exactly one spelling per document, ids in the form `generateId` makes
 * (lowercase base32), nothing else. A name that does not parse is refused, never "corrected".
 */

export type DocumentKind = 'group' | 'archive' | 'care' | 'journal' | 'staff';

export type ParsedDocumentName =
	| { kind: 'group'; groupId: string }
	| { kind: 'archive'; groupId: string; period: string }
	| { kind: 'care'; groupId: string; userId: string }
	| { kind: 'journal'; userId: string }
	| { kind: 'staff'; groupId: string };

/** Lowercase base32 without padding (RFC 4648 alphabet), as `generateId` and `createBoardId` produce. */
const ID_PATTERN = /^[a-z2-7]{16,32}$/;

/** Whether `value` looks like a Hearth id: lowercase base32, 16–32 characters (ours are 24). */
export function isId(value: unknown): value is string {
	return typeof value === 'string' && ID_PATTERN.test(value);
}

const QUARTER_PATTERN = /^\d{4}q[1-4]$/;

/** What an archive holds: a program session (its id) or a quarter of alumni time (`2026q3`). */
export function isArchivePeriod(value: unknown): value is string {
	return isId(value) || (typeof value === 'string' && QUARTER_PATTERN.test(value));
}

/** The quarter of alumni time a moment falls in, in UTC: `2026q3`. */
export function quarterOf(time: number): string {
	const date = new Date(time);
	return `${date.getUTCFullYear()}q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}

function requireId(value: string, what: string): string {
	if (!isId(value)) throw new TypeError(`Not a valid ${what} id`);
	return value;
}

export function groupDocumentName(groupId: string): string {
	return `group:${requireId(groupId, 'group')}`;
}

export function archiveDocumentName(groupId: string, period: string): string {
	if (!isArchivePeriod(period)) throw new TypeError('Not a valid archive period');
	return `archive:${requireId(groupId, 'group')}:${period}`;
}

export function careDocumentName(groupId: string, userId: string): string {
	return `care:${requireId(groupId, 'group')}:${requireId(userId, 'user')}`;
}

export function journalDocumentName(userId: string): string {
	return `journal:${requireId(userId, 'user')}`;
}

export function staffDocumentName(groupId: string): string {
	return `staff:${requireId(groupId, 'group')}`;
}

/** The name of a parsed document, the inverse of `parseDocumentName`. */
export function formatDocumentName(document: ParsedDocumentName): string {
	switch (document.kind) {
		case 'group':
			return groupDocumentName(document.groupId);
		case 'archive':
			return archiveDocumentName(document.groupId, document.period);
		case 'care':
			return careDocumentName(document.groupId, document.userId);
		case 'journal':
			return journalDocumentName(document.userId);
		case 'staff':
			return staffDocumentName(document.groupId);
	}
}

/** Parses a document name, or returns null for anything that is not exactly one of the five forms. */
export function parseDocumentName(name: unknown): ParsedDocumentName | null {
	// The longest valid name is care:<32>:<32>; anything longer is not worth splitting.
	if (typeof name !== 'string' || name.length > 80) return null;
	const parts = name.split(':');
	const [kind, first, second] = parts;
	switch (kind) {
		case 'group':
			return parts.length === 2 && isId(first) ? { kind, groupId: first } : null;
		case 'staff':
			return parts.length === 2 && isId(first) ? { kind, groupId: first } : null;
		case 'journal':
			return parts.length === 2 && isId(first) ? { kind, userId: first } : null;
		case 'archive':
			return parts.length === 3 && isId(first) && isArchivePeriod(second)
				? { kind, groupId: first, period: second }
				: null;
		case 'care':
			return parts.length === 3 && isId(first) && isId(second) ? { kind, groupId: first, userId: second } : null;
		default:
			return null;
	}
}

/** The group a document belongs to, or null for a member's journal (which belongs to no group). */
export function getDocumentGroupId(document: ParsedDocumentName): string | null {
	return document.kind === 'journal' ? null : document.groupId;
}
