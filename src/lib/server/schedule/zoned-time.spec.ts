import { describe, expect, it } from 'vitest';
import { addDays, formatSessionTime, fromZonedDateTime, isValidTimeZone, toZonedDateTime } from './zoned-time';

describe('zoned session times', () => {
	it('reads a wall-clock time in the group zone as the right instant, summer and winter', () => {
		expect(fromZonedDateTime('2025-07-01', '18:00', 'Europe/Berlin')?.toISOString()).toBe('2025-07-01T16:00:00.000Z');
		expect(fromZonedDateTime('2025-12-01', '18:00', 'Europe/Berlin')?.toISOString()).toBe('2025-12-01T17:00:00.000Z');
		expect(fromZonedDateTime('2025-03-09', '09:30', 'America/Los_Angeles')?.toISOString()).toBe(
			'2025-03-09T16:30:00.000Z'
		);
	});

	it('gives back the same wall-clock time it was given', () => {
		const instant = fromZonedDateTime('2025-10-26', '01:30', 'Europe/London')!;
		expect(toZonedDateTime(instant, 'Europe/London')).toEqual({ date: '2025-10-26', time: '01:30' });
		expect(toZonedDateTime(new Date('2025-01-01T23:30:00Z'), 'Asia/Tokyo')).toEqual({
			date: '2025-01-02',
			time: '08:30'
		});
	});

	it('refuses malformed dates, times and zones', () => {
		expect(fromZonedDateTime('2025-02-30', '10:00', 'UTC')).toBeNull();
		expect(fromZonedDateTime('2025-02-01', '25:00', 'UTC')).toBeNull();
		expect(fromZonedDateTime('2025-02-01', '10:00', 'Mars/Olympus')).toBeNull();
		expect(isValidTimeZone('')).toBe(false);
	});

	it('shows the time in the group zone with its abbreviation', () => {
		expect(formatSessionTime(new Date('2025-07-01T16:00:00Z'), 'Europe/Berlin')).toBe('Tue, 1 Jul 2025, 18:00 CEST');
	});

	it('adds calendar days across month ends', () => {
		expect(addDays('2025-01-29', 7)).toBe('2025-02-05');
	});
});
