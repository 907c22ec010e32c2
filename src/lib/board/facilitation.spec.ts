import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	answerRound,
	closeRound,
	describeRoundProgress,
	findOpenRound,
	getAlumniSettings,
	listRounds,
	mayOpenRound,
	openRound,
	setAlumniSettings,
	timerSecondsLeft,
	updateRound
} from './facilitation';
import { createBoardId } from './ids';
import { prepareDocument } from './policy';

const NOW = Date.UTC(2026, 0, 10, 18, 30);
const [fran, alice, bob, cai] = [createBoardId(), createBoardId(), createBoardId(), createBoardId()];

function board() {
	const doc = new Y.Doc();
	prepareDocument(doc, 'group');
	return doc;
}

describe('check-in rounds', () => {
	it('finds the open round of the session being looked at, newest first', () => {
		const doc = board();
		const [journey, prep] = [createBoardId(), createBoardId()];
		const first = openRound(doc, { openedBy: fran, prompt: 'Arriving', sessionId: journey }, NOW);
		const second = openRound(doc, { openedBy: fran, prompt: 'Again', sessionId: journey }, NOW + 1);
		openRound(doc, { openedBy: fran, prompt: 'Prep', sessionId: prep }, NOW + 2);
		closeRound(doc, second, NOW + 3);

		expect(findOpenRound(listRounds(doc), journey)?.id).toBe(first);
		expect(findOpenRound(listRounds(doc), null)).toBeNull();
	});

	it('closing puts the talking piece down and stops the timer', () => {
		const doc = board();
		const id = openRound(doc, { openedBy: fran, prompt: 'Arriving' }, NOW);
		updateRound(doc, id, { spotlight: alice, timer: { startedAt: NOW, seconds: 120 } });
		closeRound(doc, id, NOW + 1000);

		expect(listRounds(doc)[0]).toMatchObject({ closedAt: NOW + 1000, spotlight: null, timer: null });
	});

	it('says who answered, who passed and who has not yet, keeping the members’ order', () => {
		const doc = board();
		const id = openRound(doc, { openedBy: fran, prompt: 'Arriving', scale: { min: 1, max: 10 } }, NOW);
		answerRound(doc, id, bob, { at: NOW, passed: true });
		answerRound(doc, id, alice, { at: NOW, scale: 7 });

		expect(describeRoundProgress(listRounds(doc)[0], [alice, bob, cai])).toEqual({
			answered: [alice],
			passed: [bob],
			waiting: [cai]
		});
	});

	it('counts down a per-share timer in whole seconds and stops at zero', () => {
		const timer = { startedAt: NOW, seconds: 90 };
		expect(timerSecondsLeft(timer, NOW)).toBe(90);
		expect(timerSecondsLeft(timer, NOW + 500)).toBe(90);
		expect(timerSecondsLeft(timer, NOW + 89_001)).toBe(1);
		expect(timerSecondsLeft(timer, NOW + 200_000)).toBe(0);
		expect(timerSecondsLeft(null, NOW)).toBeNull();
	});
});

describe('alumni check-ins', () => {
	it('are opened by facilitators unless the group lets members start them', () => {
		const doc = board();
		expect(getAlumniSettings(doc)).toBe('facilitators');
		expect(mayOpenRound({ role: 'member', alumni: true, roundsBy: getAlumniSettings(doc) })).toBe(false);

		setAlumniSettings(doc, { roundsBy: 'members', by: fran }, NOW);

		expect(getAlumniSettings(doc)).toBe('members');
		expect(mayOpenRound({ role: 'member', alumni: true, roundsBy: 'members' })).toBe(true);
		expect(mayOpenRound({ role: 'member', alumni: false, roundsBy: 'members' })).toBe(false);
		expect(mayOpenRound({ role: 'facilitator', alumni: false, roundsBy: 'facilitators' })).toBe(true);
	});
});
