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
	isAlumniSettings,
	isSessionState,
	isText,
	isTime,
	type AlumniSettings,
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

export function setMark(doc: Y.Doc, root: 'pins' | 'locks', postId: string, by: string | null, now = Date.now()): void {
	const map = doc.getMap(root);
	if (by === null) map.delete(postId);
	else map.set(postId, { by, at: now } satisfies Mark);
}

/** Closes a round: the talking piece is put down and any timer stops. */
export function closeRound(doc: Y.Doc, roundId: string, now = Date.now()): void {
	updateRound(doc, roundId, { closedAt: now, spotlight: null, timer: null });
}

export function isRoundOpen(round: Pick<Round, 'closedAt'>): boolean {
	return round.closedAt === undefined;
}

/** The round people are in now: the newest open one for this session (or, with null, for none). */
export function findOpenRound(rounds: Round[], sessionId: string | null): Round | null {
	const open = rounds.filter((round) => isRoundOpen(round) && (round.sessionId ?? null) === sessionId);
	return open.at(-1) ?? null;
}

export type RoundProgress = {
	/** Members who answered with words, a scale or feelings. */
	answered: string[];
	passed: string[];
	/** Members who have not said anything yet. */
	waiting: string[];
};

/** Who has answered, passed or not yet, among the members expected in the round (in their order). */
export function describeRoundProgress(round: Pick<Round, 'answers'>, memberIds: string[]): RoundProgress {
	const progress: RoundProgress = { answered: [], passed: [], waiting: [] };
	const everyone = [...memberIds, ...[...round.answers.keys()].filter((id) => !memberIds.includes(id))];
	for (const userId of everyone) {
		const answer = round.answers.get(userId);
		if (!answer) progress.waiting.push(userId);
		else if (answer.passed) progress.passed.push(userId);
		else progress.answered.push(userId);
	}
	return progress;
}

/** Whole seconds left on a per-share timer (0 once it has run out); null when no timer runs. */
export function timerSecondsLeft(timer: RoundTimer | null | undefined, now: number): number | null {
	if (!timer) return null;
	const left = timer.startedAt + timer.seconds * 1000 - now;
	return Math.max(0, Math.ceil(left / 1000));
}

/** Who may open alumni rounds in this group; facilitators only unless they have said otherwise. */
export function getAlumniSettings(doc: Y.Doc): AlumniSettings['roundsBy'] {
	const value = doc.getMap('facilitation').get('alumni');
	return isAlumniSettings(value) ? (value as AlumniSettings).roundsBy : 'facilitators';
}

export function setAlumniSettings(
	doc: Y.Doc,
	input: { roundsBy: AlumniSettings['roundsBy']; by: string },
	now = Date.now()
): void {
	doc.getMap('facilitation').set('alumni', { ...input, at: now } satisfies AlumniSettings);
}

/**
 * Whether this person may open a round: facilitators always; a member only an alumni round, and only
 * when the group lets members start alumni check-ins. The change policy enforces the same rule.
 */
export function mayOpenRound(input: {
	role: 'facilitator' | 'member';
	alumni: boolean;
	roundsBy: AlumniSettings['roundsBy'];
}): boolean {
	if (input.role === 'facilitator') return true;
	return input.alumni && input.roundsBy === 'members';
}
