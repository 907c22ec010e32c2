/*
 * The shape of every Hearth document, in one place.
 *
 * Each document is a set of top-level Y.Maps (its "roots"); nothing else may exist at the top level.
 * Inside a root every entry is either a nested Y.Map (posts, rounds — things several people touch
 * independently: a reaction by one person must not overwrite another's) or one plain JSON value
 * (everything written whole by one person: pins, locks, the session phase, a round answer). Plain JSON
 * values are last-writer-wins, which is what a single author editing their own thing wants, and they
 * are easy for the policy to check: the whole value is there to validate.
 *
 *   group:<g>    posts        Y.Map<postId, Post>                   members and facilitators
 *                rounds       Y.Map<roundId, Round>                 facilitators (answers: each member their own)
 *                facilitation Y.Map<'session', SessionState>        facilitators
 *                             Y.Map<'alumni', AlumniSettings>       facilitators (who opens alumni rounds)
 *                pins         Y.Map<postId, Mark>                   facilitators
 *                locks        Y.Map<postId, Mark>                   facilitators
 *   archive:<g>:<period>      posts, rounds, pins, locks as in group:<g>, for one finished session or
 *                             quarter: replies, reactions, edits and removals as on the board; no new
 *                             threads and no round changes (the time they belong to is over)
 *   care:<g>:<u> posts        Y.Map<postId, Post>                   the member <u> and facilitators
 *                notices      Y.Map<noticeId, Notice>               facilitators (e.g. "your post was hidden")
 *   journal:<u>  posts        Y.Map<postId, Post>                   <u> alone (notes, intentions, insights)
 *                held         Y.Map<postId, HeldPost>               <u> alone (group posts waiting out a cool-off)
 *   staff:<g>    notes        Y.Map<postId, Post>                   facilitators
 *                flags        Y.Map<flagId, Flag>                   facilitators (the server adds new flags)
 *                hidden       Y.Map<postId, HiddenPost>             facilitators
 *
 * A Post is a Y.Map with: id, authorId, createdAt, kind, body (plain string), sessionId?, parentId?
 * (a reply: one level deep), prompt? (the integration prompt an insight answers), editedAt?, and
 * reactions: Y.Map<'<kind>:<userId>', at>. A removed post that still has replies becomes a tombstone
 * Y.Map: id, createdAt, kind, sessionId?, parentId?, removedAt, removedBy, removal ('author' |
 * 'facilitator' | 'hidden') — no author, no body, no reactions: the content is gone from this document
 * (a hidden post's words wait in the staff space until a facilitator restores or removes it). A post's
 * id is used once: nothing new is ever written over an entry, tombstones included.
 *
 * Why a plain string body rather than Y.Text: only the author may edit a body, so there are no
 * concurrent writers to merge; a string is replaced whole on "Save" (one small update, not one per
 * keystroke), and the policy can check the complete new value (type, length) instead of policing
 * character runs, formatting attributes and embeds. Replacing it deletes the old value, so edited-away
 * text is garbage-collected like deleted text.
 */
import { isId } from './document-names';
import type { DocumentKind } from './document-names';

export const LIMITS = {
	/** Characters in a post, reply, answer or note: a long share, not a document. */
	bodyChars: 4000,
	promptChars: 500,
	reasonChars: 500,
	labelChars: 80,
	feelingWords: 12,
	feelingChars: 40,
	/** Longest per-share timer a facilitator can run. */
	timerSeconds: 60 * 60,
	/** How far in the future a device's clock may claim `createdAt` to be (clocks drift; offline writes are older). */
	clockSkewMs: 10 * 60 * 1000
} as const;

export const ROOTS = {
	group: ['posts', 'rounds', 'facilitation', 'pins', 'locks'],
	archive: ['posts', 'rounds', 'pins', 'locks'],
	care: ['posts', 'notices'],
	journal: ['posts', 'held'],
	staff: ['notes', 'flags', 'hidden']
} as const satisfies Record<DocumentKind, readonly string[]>;

export type RootName<K extends DocumentKind = DocumentKind> = (typeof ROOTS)[K][number];

export const POST_KINDS = ['post', 'insight', 'intention', 'checkin', 'note', 'urgent'] as const;
export type PostKind = (typeof POST_KINDS)[number];

/** Which kinds of post each document holds: its audience decides what belongs there. */
export const POST_KINDS_BY_DOCUMENT: Record<DocumentKind, readonly PostKind[]> = {
	group: ['post', 'insight', 'intention', 'checkin'],
	archive: ['post', 'insight', 'intention', 'checkin'],
	care: ['post', 'insight', 'intention', 'urgent'],
	journal: ['post', 'insight', 'intention', 'note'],
	staff: ['note']
};

export const REACTION_KINDS = ['metoo', 'holding'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export const SESSION_PHASES = ['open', 'quiet', 'integration'] as const;
export type SessionPhase = (typeof SESSION_PHASES)[number];

// Plain-value checks. Strict on purpose: a value either has exactly the expected shape or is refused.

export type Check = (value: unknown) => boolean;

export const isText =
	(max: number, min = 1): Check =>
	(value) =>
		typeof value === 'string' && value.length <= max && value.trim().length >= min;

/** Milliseconds since the epoch, between 2020 and 2100: rules out seconds, NaN and absurd values. */
export const isTime: Check = (value) =>
	typeof value === 'number' && Number.isFinite(value) && value >= 1577836800000 && value < 4102444800000;

export const isOneOf =
	<T>(values: readonly T[]): Check =>
	(value) =>
		values.includes(value as T);

export const isIntegerIn =
	(min: number, max: number): Check =>
	(value) =>
		Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

export const isNullable =
	(check: Check): Check =>
	(value) =>
		value === null || check(value);

export const isListOf =
	(check: Check, max: number): Check =>
	(value) =>
		Array.isArray(value) && value.length <= max && value.every(check);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

/** An object with exactly these keys: every required one, optional ones only if valid, nothing else. */
export const isShape =
	(required: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
	(value) => {
		if (!isPlainObject(value)) return false;
		for (const [key, check] of Object.entries(required)) if (!(key in value) || !check(value[key])) return false;
		for (const [key, field] of Object.entries(value)) {
			if (key in required) continue;
			const check = optional[key];
			if (!check || !check(field)) return false;
		}
		return true;
	};

export { isId };

const isFeelings = isListOf(isText(LIMITS.feelingChars), LIMITS.feelingWords);

// JSON values stored whole (one Y.Map entry each).

/** Who pinned or locked something, and when. */
export type Mark = { by: string; at: number };
export const isMark = isShape({ by: isId, at: isTime });

/** The group's live session state: which session is running and whether the board is quiet. */
export type SessionState = { sessionId: string | null; phase: SessionPhase; by: string; at: number };
export const isSessionState = isShape({
	sessionId: isNullable(isId),
	phase: isOneOf(SESSION_PHASES),
	by: isId,
	at: isTime
});

/**
 * Who may open alumni check-in rounds (`facilitation/alumni`): the facilitators only (the default when
 * unset), or members too. Kept in the group document so the change policy can enforce it from the
 * document alone; facilitators write it.
 */
export type AlumniSettings = { roundsBy: 'facilitators' | 'members'; by: string; at: number };
export const isAlumniSettings = isShape({
	roundsBy: isOneOf(['facilitators', 'members']),
	by: isId,
	at: isTime
});

/** A member's answer to a check-in round: a pass, or any of a scale value, feeling words and words. */
export type RoundAnswer = { at: number; passed?: true; scale?: number; feelings?: string[]; body?: string };
export const isRoundAnswer: Check = (value) =>
	isShape(
		{ at: isTime },
		{
			passed: (v) => v === true,
			scale: isIntegerIn(0, 100),
			feelings: isFeelings,
			body: isText(LIMITS.bodyChars)
		}
	)(value) &&
	// A pass says nothing else; an answer says something.
	((value as RoundAnswer).passed === true
		? Object.keys(value as object).length === 2
		: Object.keys(value as object).length > 1);

export type RoundScale = { min: number; max: number; label?: string };
export const isRoundScale: Check = (value) =>
	isShape({ min: isIntegerIn(0, 100), max: isIntegerIn(0, 100) }, { label: isText(LIMITS.labelChars) })(value) &&
	(value as RoundScale).min < (value as RoundScale).max;

export type RoundTimer = { startedAt: number; seconds: number };
export const isRoundTimer = isShape({ startedAt: isTime, seconds: isIntegerIn(1, LIMITS.timerSeconds) });

/** A message from the facilitators in a member's care space about their own content. */
export type Notice = {
	kind: 'hidden' | 'restored' | 'removed';
	postId: string;
	reason?: string;
	by: string;
	at: number;
};
export const isNotice = isShape(
	{ kind: isOneOf(['hidden', 'restored', 'removed']), postId: isId, by: isId, at: isTime },
	{ reason: isText(LIMITS.reasonChars) }
);

/** A flag in the staff review queue. New flags come from the server (members cannot open staff:). */
export type Flag = {
	id: string;
	postId: string;
	document: string;
	flaggedBy: string;
	at: number;
	reason?: string;
	status: 'open' | 'resolved';
	resolvedBy?: string;
	resolvedAt?: number;
	/** What was done about it: the post kept as it is, hidden, or removed for good. */
	outcome?: FlagOutcome;
	/** An urgent alert's email to the facilitators (support/urgent.ts); absent when none was sent. */
	email?: 'sending' | 'sent' | 'failed';
};
export const FLAG_OUTCOMES = ['kept', 'hidden', 'removed'] as const;
export type FlagOutcome = (typeof FLAG_OUTCOMES)[number];
export const isFlag = isShape(
	{
		id: isId,
		postId: isId,
		document: isText(80),
		flaggedBy: isId,
		at: isTime,
		status: isOneOf(['open', 'resolved'])
	},
	{
		reason: isText(LIMITS.reasonChars),
		resolvedBy: isId,
		resolvedAt: isTime,
		outcome: isOneOf(FLAG_OUTCOMES),
		email: isOneOf(['sending', 'sent', 'failed'])
	}
);

/** A copy of a live post as plain JSON, as held in the staff space while it is hidden from the group. */
export type PostSnapshot = {
	id: string;
	authorId: string;
	createdAt: number;
	kind: PostKind;
	body: string;
	sessionId?: string;
	parentId?: string;
	prompt?: string;
	editedAt?: number;
	/** Its reactions while it was on the board (reaction key → when), given back on restore. */
	reactions?: Record<string, number>;
};

const isReactionRecord: Check = (value) =>
	isPlainObject(value) &&
	Object.keys(value).length <= 200 &&
	Object.entries(value).every(([key, at]) => parseReactionKey(key) !== null && isTime(at));

export const isPostSnapshot = isShape(
	{ id: isId, authorId: isId, createdAt: isTime, kind: isOneOf(POST_KINDS), body: isText(LIMITS.bodyChars) },
	{ sessionId: isId, parentId: isId, prompt: isText(LIMITS.promptChars), editedAt: isTime, reactions: isReactionRecord }
);

export type HiddenPost = { post: PostSnapshot; from: string; by: string; at: number; reason?: string };
export const isHiddenPost = isShape(
	{ post: isPostSnapshot, from: isText(80), by: isId, at: isTime },
	{ reason: isText(LIMITS.reasonChars) }
);

/**
 * A post for a group written during the group's cool-off after a journey (board/cool-off.ts): held in the
 * author's own journal, where only they can see it, until they share it, keep it as a journal entry or let
 * it go. Plain JSON written whole by its one author, so an edit replaces it; `at` is when it was held.
 */
export type HeldPost = {
	id: string;
	groupId: string;
	kind: 'post' | 'insight';
	body: string;
	at: number;
	sessionId?: string;
	prompt?: string;
	editedAt?: number;
};
export const isHeldPost = isShape(
	{ id: isId, groupId: isId, kind: isOneOf(['post', 'insight']), body: isText(LIMITS.bodyChars), at: isTime },
	{ sessionId: isId, prompt: isText(LIMITS.promptChars), editedAt: isTime }
);

/** `<kind>:<userId>`, the key of one person's reaction: one of each kind per person, by construction. */
export function reactionKey(kind: ReactionKind, userId: string): string {
	return `${kind}:${userId}`;
}

export function parseReactionKey(key: string): { kind: ReactionKind; userId: string } | null {
	const [kind, userId, ...rest] = key.split(':');
	if (rest.length > 0 || !isOneOf(REACTION_KINDS)(kind) || !isId(userId)) return null;
	return { kind: kind as ReactionKind, userId };
}
