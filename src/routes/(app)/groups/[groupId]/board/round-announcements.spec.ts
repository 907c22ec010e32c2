import { describe, expect, it } from 'vitest';
import type { Round } from '$lib/board/facilitation';
import { describeRoundChanges, takeRoundMoments } from './round-announcements';

const names: Record<string, string> = { fran: 'Fran', sam: 'Sam', alex: 'Alex' };
const as = (meId: string) => ({ meId, nameOf: (userId: string) => names[userId] });

function round(change: Partial<Round> = {}): Round {
	return { id: 'r1', openedBy: 'fran', openedAt: 1, prompt: 'How are you arriving?', answers: new Map(), ...change };
}

describe('what the live region says as a round goes on', () => {
	it('tells everyone each step of a round, in the words of the person hearing it', () => {
		const steps: Round[] = [
			round(),
			round({ answers: new Map([['sam', { at: 2, body: 'Tired.' }]]) }),
			round({
				answers: new Map([
					['sam', { at: 2, body: 'Tired.' }],
					['alex', { at: 3, passed: true }]
				])
			}),
			round({ spotlight: 'sam', answers: new Map([['sam', { at: 2, body: 'Tired.' }]]) }),
			round({ spotlight: 'sam', answers: new Map([['sam', { at: 4, body: 'Tired, glad.' }]]) }),
			round({ spotlight: null, answers: new Map([['sam', { at: 4, body: 'Tired, glad.' }]]) }),
			round({ spotlight: 'alex', closedAt: 5, answers: new Map([['sam', { at: 4, body: 'Tired, glad.' }]]) })
		];
		const heard = (meId: string) => {
			let before = takeRoundMoments([]);
			return steps.map((step) => {
				const lines = describeRoundChanges(before, [step], as(meId));
				before = takeRoundMoments([step]);
				return lines;
			});
		};
		expect(heard('sam')).toEqual([
			['Fran opened a check-in round.'],
			['Your answer is with the circle.'],
			['Alex passed.'],
			['You have the talking piece.'],
			['You changed your answer.'],
			['The talking piece is down.'],
			['The round is closed.']
		]);
		expect(heard('fran')[0]).toEqual(['You opened a check-in round: How are you arriving?']);
		expect(heard('fran')[3]).toEqual(['Sam has the talking piece.']);
	});

	it('says nothing when nothing a person would hear about changed, and nothing about rounds closed before', () => {
		const open = round({ answers: new Map([['sam', { at: 2, passed: true }]]) });
		expect(describeRoundChanges(takeRoundMoments([open]), [open], as('alex'))).toEqual([]);
		const closedEarlier = round({ id: 'r0', closedAt: 1 });
		expect(describeRoundChanges(takeRoundMoments([]), [closedEarlier], as('alex'))).toEqual([]);
	});
});
