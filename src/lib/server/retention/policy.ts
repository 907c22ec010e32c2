/*
 * The retention rules, in one place: how long an ended group's records are kept, when they are due for
 * deletion, and how that reads to the people in the group. Pure, so the sweep, the pages and the tests
 * all decide by the same function.
 *
 * A group has ended once it is archived (after its program and its alumni time). Its records are deleted
 * `months` after that, plus however long legal holds have stopped the clock; while a hold is in force,
 * there is no date at all.
 */

/**
 * Seven years. The staff space holds the facilitators' clinical notes, and state rules for keeping
 * clinical records differ (commonly five to ten years after the last visit for adults, longer for
 * minors); Hearth cannot know which apply, so the default leans long and the practice decides.
 */
export const DEFAULT_RETENTION_MONTHS = 84;
/** At least three months: members get the 30 days' notice, and time to export their own words. */
export const MIN_RETENTION_MONTHS = 3;
/** Thirty years: anything longer is no policy at all. */
export const MAX_RETENTION_MONTHS = 360;
/** How long before the deletion the group's page says when it will happen. */
export const PURGE_NOTICE_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/** `at` plus whole calendar months in UTC, kept to the month's last day (31 January + 1 month = 28/29 February). */
export function addMonths(at: Date, months: number): Date {
	const target = new Date(at.getTime());
	const day = target.getUTCDate();
	target.setUTCDate(1);
	target.setUTCMonth(target.getUTCMonth() + months);
	const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
	target.setUTCDate(Math.min(day, lastDay));
	return target;
}

export interface RetentionClock {
	/** When the group was archived, or null while it has not ended. */
	endedAt: Date | null;
	/** A hold in force since then, or null. */
	holdSince: Date | null;
	/** Time spent on holds already lifted. */
	heldMs: number;
}

/** When the group's records are deleted, or null: not ended yet, or on hold (the clock stands still). */
export function purgeDueAt(clock: RetentionClock, months: number): Date | null {
	if (!clock.endedAt || clock.holdSince) return null;
	return new Date(addMonths(clock.endedAt, months).getTime() + clock.heldMs);
}

/** Whether the group's records are due for deletion at `now`. */
export function isPurgeDue(clock: RetentionClock, months: number, now: Date): boolean {
	const due = purgeDueAt(clock, months);
	return due !== null && due.getTime() <= now.getTime();
}

/** Whether members should be told now that their board will be deleted soon (the last 30 days). */
export function isPurgeNear(clock: RetentionClock, months: number, now: Date): boolean {
	const due = purgeDueAt(clock, months);
	return due !== null && due.getTime() - now.getTime() <= PURGE_NOTICE_DAYS * DAY_MS;
}

/** A retention time as people say it: "7 years", "18 months", "1 year and 6 months". */
export function describeRetention(months: number): string {
	const years = Math.floor(months / 12);
	const rest = months % 12;
	const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
	if (years === 0) return plural(rest, 'month');
	if (rest === 0) return plural(years, 'year');
	return `${plural(years, 'year')} and ${plural(rest, 'month')}`;
}

/** "14 October 2027": a deletion date as the group's people read it, in the group's time zone. */
export function formatDay(at: Date, timeZone: string): string {
	return new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}

/** What staff read where a purged group was: its records are gone, and when (null: being deleted now). */
export function describeRecordsDeleted(on: Date | null, timeZone: string): string {
	return on
		? `Records deleted on ${formatDay(on, timeZone)} under the practice’s retention policy.`
		: 'Records are being deleted now under the practice’s retention policy.';
}
