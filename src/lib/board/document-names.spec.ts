import { describe, expect, it } from 'vitest';
import {
	archiveDocumentName,
	careDocumentName,
	formatDocumentName,
	getDocumentGroupId,
	groupDocumentName,
	isId,
	journalDocumentName,
	parseDocumentName,
	quarterOf,
	staffDocumentName
} from './document-names';
import { createBoardId } from './ids';

const groupId = createBoardId();
const userId = createBoardId();

describe('document names', () => {
	it('builds and parses each of the five kinds, round trip', () => {
		const sessionId = createBoardId();
		const names = [
			groupDocumentName(groupId),
			archiveDocumentName(groupId, sessionId),
			archiveDocumentName(groupId, '2026q3'),
			careDocumentName(groupId, userId),
			journalDocumentName(userId),
			staffDocumentName(groupId)
		];
		expect(names).toEqual([
			`group:${groupId}`,
			`archive:${groupId}:${sessionId}`,
			`archive:${groupId}:2026q3`,
			`care:${groupId}:${userId}`,
			`journal:${userId}`,
			`staff:${groupId}`
		]);
		for (const name of names) {
			const parsed = parseDocumentName(name);
			expect(parsed).not.toBeNull();
			expect(formatDocumentName(parsed!)).toBe(name);
		}
		expect(parseDocumentName(`care:${groupId}:${userId}`)).toEqual({ kind: 'care', groupId, userId });
	});

	it('refuses anything that is not exactly one of the forms', () => {
		const bad = [
			'',
			'group',
			'group:',
			`group:${groupId}:`,
			`group:${groupId}:${userId}`,
			`GROUP:${groupId}`,
			`group:${groupId.toUpperCase()}`,
			`group: ${groupId}`,
			`group:${groupId} `,
			`care:${groupId}`,
			`care:${groupId}:${userId}:x`,
			`journal:${groupId}:${userId}`,
			`staff:../${groupId}`,
			`evil:${groupId}`,
			`group:${'a'.repeat(33)}`,
			'group:short',
			'group:abcdefghijklmnop1',
			`group:${groupId.slice(0, 20)}0189`,
			`__proto__:${groupId}`,
			`archive:${groupId}`,
			`archive:${groupId}:2026q5`,
			`archive:${groupId}:2026Q3`,
			`archive:${groupId}:26q3`,
			`archive:${groupId}:2026q3:x`
		];
		for (const name of bad) expect(parseDocumentName(name), name).toBeNull();
		expect(parseDocumentName(42)).toBeNull();
		expect(parseDocumentName(null)).toBeNull();
	});

	it('will not build a name from a malformed id', () => {
		expect(() => groupDocumentName('Not-An-Id')).toThrow(TypeError);
		expect(() => careDocumentName(groupId, `${userId}:x`)).toThrow(TypeError);
		expect(() => journalDocumentName('')).toThrow(TypeError);
		expect(() => archiveDocumentName(groupId, '2026-09')).toThrow(TypeError);
	});

	it('names the quarter of alumni time a moment falls in (UTC)', () => {
		expect(quarterOf(Date.UTC(2026, 0, 1))).toBe('2026q1');
		expect(quarterOf(Date.UTC(2026, 8, 30, 23, 59))).toBe('2026q3');
		expect(quarterOf(Date.UTC(2026, 9, 1))).toBe('2026q4');
	});

	it('says which group a document belongs to', () => {
		expect(getDocumentGroupId({ kind: 'staff', groupId })).toBe(groupId);
		expect(getDocumentGroupId({ kind: 'journal', userId })).toBeNull();
	});

	it('accepts the ids the board and the server generate', () => {
		for (let i = 0; i < 50; i++) expect(isId(createBoardId())).toBe(true);
		expect(createBoardId()).toHaveLength(24);
	});
});
