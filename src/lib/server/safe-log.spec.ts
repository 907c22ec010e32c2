import { describe, expect, it } from 'vitest';
import { describeErrorForLog } from './safe-log';

describe('describeErrorForLog', () => {
	it('keeps the kind, code and stack frames but never the message', () => {
		const cause = Object.assign(new Error('duplicate key (email)=(robin@example.org)'), { code: '23505' });
		const error = new Error('Failed query: insert … params: robin@example.org,I feel alone', { cause });
		const described = describeErrorForLog(error);
		expect(described.kind).toBe('Error');
		expect(described.code).toBe('23505');
		expect(described.at.length).toBeGreaterThan(0);
		expect(JSON.stringify(described)).not.toMatch(/robin|alone|duplicate/);
	});

	it('describes things that are not errors without echoing them', () => {
		expect(describeErrorForLog('a secret string')).toEqual({ kind: 'string', at: [] });
	});
});
