// The attendance rules of the arrival trend, on plain rounds: which rounds count, answered / passed /
// absent / waiting, a session with no round, a member who joined late, a session that asked twice.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createBoardId } from '$lib/board/ids';
import { answerRound, closeRound, listRounds, openRound } from '$lib/board/facilitation';
import { describeArrivals, isArrivalRound, toArrivalRound, type ArrivalRound, type ArrivalSession } from './arrivals';

const DAY = 86_400_000;
const start = Date.UTC(2026, 9, 1, 17);
const sessions: ArrivalSession[] = [1, 2, 3, 4].map((n) => ({
	id: createBoardId(),
	label: `Journey ${n}`,
	startsAt: new Date(start + (n - 1) * 7 * DAY)
}));
const [s1, s2, s3, s4] = sessions.map((s) => s.id);
const [robin, ada, bea, cai] = [createBoardId(), createBoardId(), createBoardId(), createBoardId()];
const always = { joinedAt: new Date(start - DAY), endedAt: null };

/** Rounds built with the board's own accessors, read back as the trend reads them. */
function buildRounds(write: (doc: Y.Doc) => void): ArrivalRound[] {
	const doc = new Y.Doc();
	write(doc);
	return listRounds(doc).filter(isArrivalRound).map(toArrivalRound);
}

const scale = { min: 1, max: 10 };
const at = (session: number, minutes = 0) => start + (session - 1) * 7 * DAY + minutes * 60_000;

describe('arrival rounds', () => {
	it('count only rounds that asked the 1–10 scale within a session', () => {
		expect.hasAssertions();
		const rounds = buildRounds((doc) => {
			openRound(doc, { openedBy: robin, prompt: 'Arriving', sessionId: s1, scale }, at(1));
			openRound(doc, { openedBy: robin, prompt: 'No scale', sessionId: s1 }, at(1, 5));
			openRound(doc, { openedBy: robin, prompt: 'Other scale', sessionId: s1, scale: { min: 0, max: 5 } }, at(1, 6));
			openRound(doc, { openedBy: robin, prompt: 'No session', scale }, at(1, 7));
		});
		expect(rounds.map((round) => round.openedAt)).toEqual([at(1)]);
	});

	it('never keep the words or feelings of an answer', () => {
		expect.hasAssertions();
		const [round] = buildRounds((doc) => {
			const id = openRound(doc, { openedBy: robin, prompt: 'Arriving', sessionId: s1, scale }, at(1));
			answerRound(doc, id, ada, { at: at(1, 1), scale: 4, body: 'tired', feelings: ['heavy'] });
		});
		expect(round.answers.get(ada)).toEqual({ at: at(1, 1), passed: undefined, scale: 4, spoke: true });
	});
});

describe('attendance, session by session', () => {
	const rounds = buildRounds((doc) => {
		const r1 = openRound(doc, { openedBy: robin, prompt: 'Arriving', sessionId: s1, scale }, at(1));
		answerRound(doc, r1, ada, { at: at(1, 1), scale: 4 });
		answerRound(doc, r1, bea, { at: at(1, 1), passed: true });
		closeRound(doc, r1, at(1, 30));
		// Session 2 has no arrival round at all (only one without the scale).
		openRound(doc, { openedBy: robin, prompt: 'Words only', sessionId: s2 }, at(2));
		// Session 3 asked twice: the later number counts; Bea said nothing in either.
		const r3a = openRound(doc, { openedBy: robin, prompt: 'Arriving', sessionId: s3, scale }, at(3));
		answerRound(doc, r3a, ada, { at: at(3, 1), scale: 5 });
		closeRound(doc, r3a, at(3, 20));
		const r3b = openRound(doc, { openedBy: robin, prompt: 'And now?', sessionId: s3, scale }, at(3, 90));
		answerRound(doc, r3b, ada, { at: at(3, 91), scale: 8 });
		closeRound(doc, r3b, at(3, 100));
		// Session 4's round is still open.
		const r4 = openRound(doc, { openedBy: robin, prompt: 'Arriving', sessionId: s4, scale }, at(4));
		answerRound(doc, r4, ada, { at: at(4, 1), feelings: ['open'] });
	});
	const now = new Date(at(4, 10));

	it('gives answered (with the number), passed, no round, absent and a round still open', () => {
		expect.hasAssertions();
		const summary = (userId: string) =>
			describeArrivals(userId, always, sessions, rounds, now).map((entry) => [entry.label, entry.status, entry.scale]);
		expect(summary(ada)).toEqual([
			['Journey 1', 'answered', 4],
			['Journey 2', 'no-round', null],
			['Journey 3', 'answered', 8],
			['Journey 4', 'answered', null]
		]);
		expect(summary(bea)).toEqual([
			['Journey 1', 'passed', null],
			['Journey 2', 'no-round', null],
			['Journey 3', 'absent', null],
			['Journey 4', 'waiting', null]
		]);
	});

	it('does not count a member absent from rounds held before they joined', () => {
		expect.hasAssertions();
		const late = { joinedAt: new Date(at(3, 30)), endedAt: null };
		expect(describeArrivals(cai, late, sessions, rounds, now).map((entry) => entry.status)).toEqual([
			'not-in-group',
			'no-round',
			// The second round of session 3 opened after Cai joined, and they said nothing in it.
			'absent',
			'waiting'
		]);
	});

	it('leaves out sessions that have not begun, and rounds of sessions not on the schedule', () => {
		expect.hasAssertions();
		const early = describeArrivals(ada, always, sessions, rounds.slice(0, 1), new Date(at(2, 10)));
		expect(early.map((entry) => entry.label)).toEqual(['Journey 1', 'Journey 2']);
		expect(describeArrivals(ada, always, sessions.slice(1), rounds, now).map((entry) => entry.label)).toEqual([
			'Journey 2',
			'Journey 3',
			'Journey 4'
		]);
	});
});
