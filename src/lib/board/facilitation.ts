/*
 * Facilitator state in the group document: check-in rounds, the session phase (journey quiet mode),
 * pins and thread locks. Only facilitators write these, except that each member writes their own answer
 * inside a round (`rounds/<roundId>/answers/<userId>`). See schema.ts for the shapes.
 */
import * as Y from 'yjs';
import { createBoardId } from './ids';
import {
	LIMITS,
	isId,
	isIntegerIn,
	isListOf,
	isMark,
	isNullable,
	isRoundAnswer,
	isRoundScale,
	isRoundTimer,
	isSessionState,
	isText,
	isTime,
	type Check,
	type Mark,
	type RoundAnswer,
	type RoundScale,
	type RoundTimer,
	type SessionPhase,
	type SessionState
} from './schema';

export type Round = {
	id: string;
	openedBy: string;
	openedAt: number;
	prompt: string;
	sessionId?: string;
	scale?: RoundScale;
	feelings?: string[];
	alumni?: true;
	closedAt?: number;
	/** Who holds the talking piece now. */
	spotlight?: string | null;
	timer?: RoundTimer | null;
	answers: Map<string, RoundAnswer>;
};

const ROUND_FIELDS: Record<string, Check> = {
	id: isId,
	openedBy: isId,
	openedAt: isTime,
	prompt: isText(LIMITS.promptChars),
	sessionId: isId,
	scale: isRoundScale,
	feelings: isListOf(isText(LIMITS.feelingChars), LIMITS.feelingWords),
	alumni: (v) => v === true,
	closedAt: isTime,
	spotlight: isNullable(isId),
	timer: isNullable(isRoundTimer)
};
const ROUND_REQUIRED = ['id', 'openedBy', 'openedAt', 'prompt', 'answers'];

/** A round read from its Y.Map, or null unless it is exactly a well-formed round with valid answers. */
export function readRound(value: unknown): Round | null {
	if (!(value instanceof Y.Map)) return null;
	const result: Record<string, unknown> = {};
	for (const [key, field] of (value as Y.Map<unknown>).entries()) {
		if (key === 'answers') {
			if (!(field instanceof Y.Map)) return null;
			const answers = new Map<string, RoundAnswer>();
			for (const [userId, answer] of (field as Y.Map<unknown>).entries()) {
				if (!isId(userId) || !isRoundAnswer(answer)) return null;
				answers.set(userId, answer as RoundAnswer);
			}
			result.answers = answers;
			continue;
		}
		const check = ROUND_FIELDS[key];
		if (!check || !check(field)) return null;
		result[key] = field;
	}
	if (!ROUND_REQUIRED.every((key) => key in result)) return null;
	const round = result as Round;
	// A scale answer must lie on the round's scale.
	for (const answer of round.answers.values()) {
		if (answer.scale === undefined) continue;
		if (!round.scale || !isIntegerIn(round.scale.min, round.scale.max)(answer.scale)) return null;
	}
	return round;
}

export function listRounds(doc: Y.Doc): Round[] {
	const rounds: Round[] = [];
	for (const value of doc.getMap('rounds').values()) {
		const round = readRound(value);
		if (round) rounds.push(round);
	}
	return rounds.sort((a, b) => a.openedAt - b.openedAt);
}

export type NewRound = {
	openedBy: string;
	prompt: string;
	sessionId?: string;
	scale?: RoundScale;
	feelings?: string[];
	alumni?: boolean;
};

export function openRound(doc: Y.Doc, input: NewRound, now = Date.now()): string {
	const id = createBoardId();
	const entries: [string, unknown][] = [
		['id', id],
		['openedBy', input.openedBy],
		['openedAt', now],
		['prompt', input.prompt],
		['answers', new Y.Map()]
	];
	if (input.sessionId) entries.push(['sessionId', input.sessionId]);
	if (input.scale) entries.push(['scale', input.scale]);
	if (input.feelings?.length) entries.push(['feelings', input.feelings]);
	if (input.alumni) entries.push(['alumni', true]);
	doc.transact(() => doc.getMap('rounds').set(id, new Y.Map(entries)));
	return id;
}

function getRoundMap(doc: Y.Doc, roundId: string): Y.Map<unknown> {
	const map = doc.getMap('rounds').get(roundId);
	if (!(map instanceof Y.Map)) throw new Error('No such round');
	return map as Y.Map<unknown>;
}

/** Writes (or rewrites) one person's own answer; the server refuses answers to closed rounds. */
export function answerRound(doc: Y.Doc, roundId: string, userId: string, answer: RoundAnswer): void {
	const answers = getRoundMap(doc, roundId).get('answers');
	if (!(answers instanceof Y.Map)) throw new Error('No such round');
	answers.set(userId, answer);
}

export function updateRound(
	doc: Y.Doc,
	roundId: string,
	change: { spotlight?: string | null; timer?: RoundTimer | null; closedAt?: number }
): void {
	const map = getRoundMap(doc, roundId);
	doc.transact(() => {
		for (const [key, value] of Object.entries(change)) if (value !== undefined) map.set(key, value);
	});
}

export function getSessionState(doc: Y.Doc): SessionState | null {
	const value = doc.getMap('facilitation').get('session');
	return isSessionState(value) ? (value as SessionState) : null;
}

export function setSessionPhase(
	doc: Y.Doc,
	input: { sessionId: string | null; phase: SessionPhase; by: string },
	now = Date.now()
): void {
	doc.getMap('facilitation').set('session', { ...input, at: now } satisfies SessionState);
}

/** Whether the group is in journey quiet mode, when members' group posts pause. */
export function isQuiet(doc: Y.Doc): boolean {
	return getSessionState(doc)?.phase === 'quiet';
}

function readMarks(map: Y.Map<unknown>): Map<string, Mark> {
	const marks = new Map<string, Mark>();
	for (const [postId, mark] of map.entries()) if (isId(postId) && isMark(mark)) marks.set(postId, mark as Mark);
	return marks;
}

export function getPins(doc: Y.Doc): Map<string, Mark> {
	return readMarks(doc.getMap('pins'));
}

export function getLocks(doc: Y.Doc): Map<string, Mark> {
	return readMarks(doc.getMap('locks'));
}

export function isThreadLocked(doc: Y.Doc, postId: string): boolean {
	return doc.getMap('locks').has(postId);
}

export function setMark(
	doc: Y.Doc,
	root: 'pins' | 'locks',
	postId: string,
	by: string | null,
	now = Date.now()
): void {
	const map = doc.getMap(root);
	if (by === null) map.delete(postId);
	else map.set(postId, { by, at: now } satisfies Mark);
}
