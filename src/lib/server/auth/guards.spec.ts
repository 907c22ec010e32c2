import { describe, expect, it } from 'vitest';
import { safeNextPath } from './guards';

describe('safeNextPath', () => {
	it('keeps same-site paths and drops anything that could leave the site', () => {
		expect(safeNextPath('/groups/abc')).toBe('/groups/abc');
		expect(safeNextPath('//evil.example')).toBe('/');
		expect(safeNextPath('/\\evil.example')).toBe('/');
		expect(safeNextPath('https://evil.example')).toBe('/');
		expect(safeNextPath(null)).toBe('/');
	});
});
