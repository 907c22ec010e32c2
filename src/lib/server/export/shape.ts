/*
 * What an export holds: the shapes of the JSON files (documented field by field in docs/export.md) that
 * the printable page is also made from. Times are ISO 8601 strings in UTC; absent values are null, never
 * missing, so a program reading the file sees every field in every entry.
 *
 * Bump a format's `version` when a field changes meaning or goes away; adding a field keeps the version.
 */
import type { PostKind } from '$lib/board/schema';
import type { Notice } from '$lib/board/schema';
import type { Removal } from '$lib/board/posts';

export const MEMBER_EXPORT_FORMAT = 'hearth-member-export';
export const GROUP_RECORD_FORMAT = 'hearth-group-record';
export const EXPORT_VERSION = 1;

/** Where in Hearth something was written. */
export type Place = 'board' | 'archive' | 'care' | 'journal';

export type ExportedSession = { id: string; label: string; startsAt: string };

/** A post or reply written by the person the export is for. */
export type ExportedPost = {
	id: string;
	kind: PostKind;
	body: string;
	createdAt: string;
	editedAt: string | null;
	/** The integration prompt an insight answers ("What came up for me"). */
	prompt: string | null;
	session: ExportedSession | null;
	/** The post this one replies to (its id only: the words above a reply are someone else's). */
	replyTo: string | null;
	place: Place;
	/** Taken off the board by a facilitator for now; the words wait with the facilitators. */
	hiddenByFacilitator: boolean;
};

/** An entry in the person's own care thread: theirs or a facilitator's. */
export type CareEntry = Omit<ExportedPost, 'place' | 'hiddenByFacilitator'> & {
	authorId: string;
	authorName: string;
	byYou: boolean;
};

export type CareNotice = {
	kind: Notice['kind'];
	postId: string;
	reason: string | null;
	at: string;
};

export type RoundAnswerEntry = {
	roundId: string;
	/** The question asked; null when another member opened the round (their words, not yours). */
	prompt: string | null;
	openedAt: string;
	closedAt: string | null;
	session: ExportedSession | null;
	place: 'board' | 'archive';
	/** The arrival scale the round offered, if any. */
	scale: { min: number; max: number; label: string | null } | null;
	answer: {
		at: string;
		passed: boolean;
		scale: number | null;
		feelings: string[];
		body: string | null;
	};
};

export type ReactionEntry = {
	postId: string;
	kind: 'metoo' | 'holding';
	at: string;
	place: Place;
};

export type SignatureEntry = {
	agreementVersion: number;
	agreementKind: 'program' | 'alumni';
	agreementText: string;
	typedName: string;
	signedAt: string;
};

export type MemberGroupExport = {
	id: string;
	name: string;
	role: 'facilitator' | 'member';
	status: 'active' | 'removed' | 'left';
	joinedAt: string;
	endedAt: string | null;
	signatures: SignatureEntry[];
	posts: ExportedPost[];
	roundAnswers: RoundAnswerEntry[];
	reactions: ReactionEntry[];
	/** The person's line to the facilitators, whole; null for a facilitator (who has none). */
	careThread: { entries: CareEntry[]; notices: CareNotice[] } | null;
};

export type MemberExport = {
	format: typeof MEMBER_EXPORT_FORMAT;
	version: typeof EXPORT_VERSION;
	exportedAt: string;
	account: { id: string; displayName: string; email: string; role: 'admin' | 'staff' | 'member'; createdAt: string };
	/** Journal entries, intentions and private notes (`journal:<you>`), which belong to no one group. */
	journal: ExportedPost[];
	/** Reactions given in the journal (to your own entries). */
	journalReactions: ReactionEntry[];
	/** Posts for a group waiting in your journal during a cool-off after a journey (docs/cool-off.md). */
	heldPosts: HeldPostEntry[];
	groups: MemberGroupExport[];
};

export type HeldPostEntry = {
	id: string;
	groupId: string;
	kind: PostKind;
	body: string;
	heldAt: string;
	editedAt: string | null;
	prompt: string | null;
	session: ExportedSession | null;
};

export type RecordPost = {
	id: string;
	kind: PostKind;
	authorId: string | null;
	authorName: string | null;
	/** null when the words were removed (by their author or a facilitator) or are hidden for now. */
	body: string | null;
	createdAt: string;
	editedAt: string | null;
	prompt: string | null;
	session: ExportedSession | null;
	replyTo: string | null;
	place: 'board' | 'archive';
	removed: { how: Removal; at: string } | null;
};

export type GroupRecord = {
	format: typeof GROUP_RECORD_FORMAT;
	version: typeof EXPORT_VERSION;
	exportedAt: string;
	exportedBy: { id: string; displayName: string };
	group: {
		id: string;
		name: string;
		description: string;
		lifecycle: 'forming' | 'active' | 'alumni' | 'archived';
		timeZone: string;
		capacity: number;
		createdAt: string;
	};
	members: {
		userId: string;
		displayName: string;
		role: 'facilitator' | 'member';
		facilitatorKind: 'therapist' | 'medical_provider' | null;
		status: 'active' | 'removed' | 'left';
		joinedAt: string;
		endedAt: string | null;
	}[];
	sessions: {
		id: string;
		label: string;
		kind: 'preparation' | 'journey' | 'integration' | 'alumni';
		number: number;
		startsAt: string;
		state: 'upcoming' | 'in_progress' | 'done';
	}[];
	agreements: { version: number; kind: 'program' | 'alumni'; publishedAt: string; text: string }[];
	signatures: {
		userId: string;
		displayName: string;
		agreementVersion: number;
		typedName: string;
		signedAt: string;
	}[];
	posts: RecordPost[];
};

export function iso(time: number | Date): string {
	return new Date(time).toISOString();
}

export function isoOrNull(time: number | Date | null | undefined): string | null {
	return time === null || time === undefined ? null : iso(time);
}
