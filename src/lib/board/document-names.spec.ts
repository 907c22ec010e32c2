import { describe, expect, it } from 'vitest';
import {
	careDocumentName,
	formatDocumentName,
	getDocumentGroupId,
	groupDocumentName,
	isId,
	journalDocumentName,
	parseDocumentName,
	staffDocumentName
} from './document-names';
import { createBoardId } from './ids';

const groupId = createBoardId();
const userId = createBoardId();

describe('document names', () => {
	it('builds and parses each of the four kinds, round trip', () => {
		const names = [
			groupDocumentName(groupId),
			careDocumentName(groupId, userId),
			journalDocumentName(userId),
			staffDocumentName(groupId)
		];
		expect(names).toEqual([
			`group:${groupId}`,
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
			`__proto__:${groupId}`
		];
		for (const name of bad) expect(parseDocumentName(name), name).toBeNull();
		expect(parseDocumentName(42)).toBeNull();
		expect(parseDocumentName(null)).toBeNull();
	});

	it('will not build a name from a malformed id', () => {
		expect(() => groupDocumentName('Not-An-Id')).toThrow(TypeError);
		expect(() => careDocumentName(groupId, `${userId}:x`)).toThrow(TypeError);
		expect(() => journalDocumentName('')).toThrow(TypeError);
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
