/*
 * The arrival trend: each member's "how are you arriving, 1–10" answers over the program, with what the
 * check-in rounds say about their attendance. Hearth records no attendance of its own, so it is read from
 * the rounds, session by session (docs/trends.md says the same in words):
 *
 *   arrival round   a round that asked the 1–10 scale, opened in one of the group's program sessions
 *   answered        the member gave a number (or, without one, feeling words or words) in one of them
 *   passed          the member passed in every one they took part in
 *   absent          no entry from the member in any of them, though they were in the group when it opened
 *                   and the round has closed
 *   waiting         the same while a round is still open (they may yet answer)
 *   no round        the session had no arrival round: nothing is known, so nothing is counted
 *   not in group    every arrival round of the session opened before they joined (or after they left)
 *
 * Pure: the readers in ./index.ts gather the rounds from the board and every archive.
 */
import type { Round } from '$lib/board/facilitation';
import type { RoundAnswer } from '$lib/board/schema';

export const ARRIVAL_SCALE = { min: 1, max: 10 } as const;

/** Only what the trend needs of a round: never the prompt, words or feelings. */
export type ArrivalRound = {
	id: string;
	sessionId: string;
	openedAt: number;
	closedAt: number | null;
	answers: Map<string, Pick<RoundAnswer, 'at' | 'passed' | 'scale'> & { spoke: boolean }>;
};

export type ArrivalStatus = 'answered' | 'passed' | 'absent' | 'waiting' | 'no-round' | 'not-in-group';

export const ARRIVAL_STATUS_LABELS: Record<ArrivalStatus, string> = {
	answered: 'Answered',
	passed: 'Passed',
	absent: 'Absent',
	waiting: 'Round still open',
	'no-round': 'No check-in',
	'not-in-group': 'Not yet in the group'
};

export type ArrivalSession = { id: string; label: string; startsAt: Date };

export type ArrivalEntry = {
	sessionId: string;
	label: string;
	startsAt: string;
	status: ArrivalStatus;
	/** The number given, 1–10; null unless answered with a number. */
	scale: number | null;
};

export type Membership = { joinedAt: Date; endedAt: Date | null };

/** Whether a round asked the arrival scale within a program session. */
export function isArrivalRound(round: Round): round is Round & { sessionId: string } {
	return (
		round.sessionId !== undefined && round.scale?.min === ARRIVAL_SCALE.min && round.scale.max === ARRIVAL_SCALE.max
	);
}

/** A round as the trend keeps it: whether someone spoke, passed or gave a number, and when. */
export function toArrivalRound(round: Round & { sessionId: string }): ArrivalRound {
	return {
		id: round.id,
		sessionId: round.sessionId,
		openedAt: round.openedAt,
		closedAt: round.closedAt ?? null,
		answers: new Map(
			[...round.answers].map(([userId, answer]) => [
				userId,
				{
					at: answer.at,
					passed: answer.passed,
					scale: answer.scale,
					spoke: answer.passed !== true && (answer.body !== undefined || (answer.feelings?.length ?? 0) > 0)
				}
			])
		)
	};
}

function wasInGroup(membership: Membership, at: number): boolean {
	return membership.joinedAt.getTime() <= at && (membership.endedAt === null || membership.endedAt.getTime() > at);
}

function describeSession(userId: string, membership: Membership, rounds: ArrivalRound[]) {
	if (rounds.length === 0) return { status: 'no-round' as const, scale: null };
	const entries = rounds.flatMap((round) => {
		const answer = round.answers.get(userId);
		return answer ? [answer] : [];
	});
	// The latest number counts when a session asked twice.
	const numbered = entries.filter((answer) => answer.scale !== undefined).sort((a, b) => a.at - b.at);
	if (numbered.length > 0) return { status: 'answered' as const, scale: numbered.at(-1)!.scale! };
	if (entries.some((answer) => answer.spoke)) return { status: 'answered' as const, scale: null };
	if (entries.some((answer) => answer.passed)) return { status: 'passed' as const, scale: null };
	const expected = rounds.filter((round) => wasInGroup(membership, round.openedAt));
	if (expected.length === 0) return { status: 'not-in-group' as const, scale: null };
	if (expected.some((round) => round.closedAt === null)) return { status: 'waiting' as const, scale: null };
	return { status: 'absent' as const, scale: null };
}

/**
 * One member's arrivals, session by session in the order of the program: every session that has begun
 * (or has an arrival round) by `now`. Rounds outside `sessions` are not counted.
 */
export function describeArrivals(
	userId: string,
	membership: Membership,
	sessions: ArrivalSession[],
	rounds: ArrivalRound[],
	now: Date
): ArrivalEntry[] {
	const bySession = Map.groupBy(rounds, (round) => round.sessionId);
	return [...sessions]
		.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
		.filter((session) => session.startsAt <= now || bySession.has(session.id))
		.map((session) => ({
			sessionId: session.id,
			label: session.label,
			startsAt: session.startsAt.toISOString(),
			...describeSession(userId, membership, bySession.get(session.id) ?? [])
		}));
}
