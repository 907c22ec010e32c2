import type { Round } from '$lib/board/facilitation';

// What the board's polite live region says as a round goes on, for everyone in it: a round opened, an
// answer or a pass, the talking piece passed or put down, the round closed. A person who cannot see the
// card change hears each step once; the count of seconds and other busy details are never read out.

/** What a round looked like the last time the page said something about it. */
export type RoundMoment = { spotlight: string | null; closed: boolean; answers: Map<string, number> };

export function takeRoundMoments(rounds: Round[]): Map<string, RoundMoment> {
	return new Map(
		rounds.map((round) => [
			round.id,
			{
				spotlight: round.spotlight ?? null,
				closed: round.closedAt !== undefined,
				answers: new Map([...round.answers].map(([userId, answer]) => [userId, answer.at]))
			}
		])
	);
}

/** The lines to announce for what changed in `rounds` since `before`, in the order they happened in a round. */
export function describeRoundChanges(
	before: Map<string, RoundMoment>,
	rounds: Round[],
	{ meId, nameOf }: { meId: string; nameOf: (userId: string) => string }
): string[] {
	const lines: string[] = [];
	for (const round of rounds) {
		const was = before.get(round.id);
		const closed = round.closedAt !== undefined;
		if (!was) {
			if (closed) continue;
			lines.push(
				round.openedBy === meId
					? `You opened a check-in round: ${round.prompt}`
					: `${nameOf(round.openedBy)} opened a check-in round.`
			);
		}
		for (const [userId, answer] of round.answers) {
			const at = was?.answers.get(userId);
			if (at === answer.at) continue;
			const mine = userId === meId;
			if (answer.passed) lines.push(mine ? 'You passed this time.' : `${nameOf(userId)} passed.`);
			else if (at !== undefined)
				lines.push(mine ? 'You changed your answer.' : `${nameOf(userId)} changed their answer.`);
			else lines.push(mine ? 'Your answer is with the circle.' : `${nameOf(userId)} answered.`);
		}
		const spotlight = round.spotlight ?? null;
		if (!closed && spotlight !== (was?.spotlight ?? null)) {
			if (spotlight === null) lines.push('The talking piece is down.');
			else
				lines.push(spotlight === meId ? 'You have the talking piece.' : `${nameOf(spotlight)} has the talking piece.`);
		}
		if (closed && was && !was.closed) lines.push('The round is closed.');
	}
	return lines;
}
