// The retention clock: deleted a set number of months after the group ends, never while held, and
// later by exactly as long as holds stopped the clock.
import { describe, expect, it } from 'vitest';
import { addMonths, describeRetention, isPurgeDue, isPurgeNear, purgeDueAt } from './policy';

const ended = new Date('2026-01-31T10:00:00Z');

describe('when an ended group is deleted', () => {
	it('is never while the group has not ended or is on hold', () => {
		expect(purgeDueAt({ endedAt: null, holdSince: null, heldMs: 0 }, 12)).toBeNull();
		expect(purgeDueAt({ endedAt: ended, holdSince: new Date(), heldMs: 0 }, 12)).toBeNull();
		expect(
			isPurgeDue({ endedAt: ended, holdSince: new Date('2026-02-01'), heldMs: 0 }, 3, new Date('2040-01-01'))
		).toBe(false);
	});

	it('is the set months after it ended, plus the time holds stopped the clock', () => {
		expect(purgeDueAt({ endedAt: ended, holdSince: null, heldMs: 0 }, 12)?.toISOString()).toBe(
			'2027-01-31T10:00:00.000Z'
		);
		expect(purgeDueAt({ endedAt: ended, holdSince: null, heldMs: 86_400_000 }, 12)?.toISOString()).toBe(
			'2027-02-01T10:00:00.000Z'
		);
		const clock = { endedAt: ended, holdSince: null, heldMs: 0 };
		expect(isPurgeDue(clock, 12, new Date('2027-01-31T09:59:59Z'))).toBe(false);
		expect(isPurgeDue(clock, 12, new Date('2027-01-31T10:00:00Z'))).toBe(true);
	});

	it('keeps to the end of a shorter month', () => {
		expect(addMonths(ended, 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
		expect(addMonths(new Date('2027-12-15T00:00:00Z'), 3).toISOString()).toBe('2028-03-15T00:00:00.000Z');
	});

	it('is announced in the last 30 days only', () => {
		const clock = { endedAt: ended, holdSince: null, heldMs: 0 };
		expect(isPurgeNear(clock, 12, new Date('2026-12-31T09:00:00Z'))).toBe(false);
		expect(isPurgeNear(clock, 12, new Date('2027-01-02T10:00:00Z'))).toBe(true);
	});
});

describe('how the time reads', () => {
	it('says it in years and months', () => {
		expect(describeRetention(84)).toBe('7 years');
		expect(describeRetention(12)).toBe('1 year');
		expect(describeRetention(3)).toBe('3 months');
		expect(describeRetention(18)).toBe('1 year and 6 months');
	});
});
