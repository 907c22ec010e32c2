/*
 * Where a thread belongs on the board: the program session it was shared in, or the board's home (posts
 * outside any session of the program, and everything shared once the group became alumni). The board's
 * views show threads by it, and finished sessions are archived by it (server/archive), so a thread is
 * found in the same place before and after it is put away.
 */
import type { Post } from './posts';

export interface CircleTime {
	/** The program's sessions. */
	sessionIds: ReadonlySet<string>;
	/** When the group became alumni (ms), or null. */
	alumniSince: number | null;
}

/** The session a thread (by its first post) belongs to, or null for the board's home. */
export function placeThread(root: Pick<Post, 'sessionId' | 'createdAt'>, time: CircleTime): string | null {
	if (time.alumniSince !== null && root.createdAt >= time.alumniSince) return null;
	return root.sessionId !== undefined && time.sessionIds.has(root.sessionId) ? root.sessionId : null;
}

const QUARTER_MONTHS = ['January–March', 'April–June', 'July–September', 'October–December'];

/** How a quarter of alumni time reads: `2026q3` → "July–September 2026". */
export function describeQuarter(quarter: string): string {
	const [year, number] = quarter.split('q');
	return `${QUARTER_MONTHS[Number(number) - 1]} ${year}`;
}
