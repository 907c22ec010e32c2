// Session times are stored as instants (timestamptz) and typed and shown as wall-clock times in the
// group's own time zone, whatever zone the server or the reader is in. Intl knows the zone rules, so
// this module only converts between the two with it; no zone data of our own.

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^(\d{2}):(\d{2})$/;

export function isValidTimeZone(timeZone: string): boolean {
	if (!timeZone) return false;
	try {
		new Intl.DateTimeFormat('en', { timeZone });
		return true;
	} catch {
		return false;
	}
}

/** Every zone Intl knows, UTC first (Intl's own list leaves it out). */
export function listTimeZones(): string[] {
	return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
}

function wallClockParts(instant: Date, timeZone: string) {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit'
	}).formatToParts(instant);
	const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
	return {
		year: get('year'),
		month: get('month'),
		day: get('day'),
		hour: get('hour'),
		minute: get('minute'),
		second: get('second')
	};
}

/** How far the zone's wall clock is ahead of UTC at that instant, in milliseconds. */
function zoneOffset(instant: Date, timeZone: string): number {
	const p = wallClockParts(instant, timeZone);
	const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
	return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant when the wall clock in `timeZone` shows `date` (YYYY-MM-DD) at `time` (HH:MM), or null
 * when either is malformed. A time skipped by a daylight-saving change resolves to the later offset.
 */
export function fromZonedDateTime(date: string, time: string, timeZone: string): Date | null {
	const d = DATE_PATTERN.exec(date);
	const t = TIME_PATTERN.exec(time);
	if (!d || !t || !isValidTimeZone(timeZone)) return null;
	const [year, month, day, hour, minute] = [d[1], d[2], d[3], t[1], t[2]].map(Number);
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
	const wall = Date.UTC(year, month - 1, day, hour, minute);
	const check = new Date(wall);
	if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
	// The offset at the guess can differ from the offset at the answer near a change; one more pass
	// settles it.
	let instant = wall - zoneOffset(new Date(wall), timeZone);
	instant = wall - zoneOffset(new Date(instant), timeZone);
	return new Date(instant);
}

function pad(value: number): string {
	return String(value).padStart(2, '0');
}

/** The wall-clock date and time in `timeZone`, as a form's date and time inputs want them. */
export function toZonedDateTime(instant: Date, timeZone: string): { date: string; time: string } {
	const p = wallClockParts(instant, timeZone);
	return { date: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour)}:${pad(p.minute)}` };
}

/** Adds whole calendar days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
	const d = DATE_PATTERN.exec(date);
	if (!d) return date;
	const next = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]) + days));
	return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

/** "Tue, 14 Oct 2025, 18:00 CEST": a session time as the group experiences it. */
export function formatSessionTime(instant: Date, timeZone: string): string {
	return new Intl.DateTimeFormat('en-GB', {
		timeZone,
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
		timeZoneName: 'short'
	}).format(instant);
}
