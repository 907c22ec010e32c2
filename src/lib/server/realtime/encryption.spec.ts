import { describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { DataKeyring } from './encryption';

describe('keyed hashes', () => {
	const key = randomBytes(32);

	it('are stable for the same key (across restarts) and differ by purpose and by key', () => {
		const purpose = 'hearth.sign-in-keys.v1';
		const hash = new DataKeyring(key).keyedHash(purpose, 'account:sam@example.org');
		expect(new DataKeyring(Uint8Array.from(key)).keyedHash(purpose, 'account:sam@example.org')).toBe(hash);
		expect(new DataKeyring(key).keyedHash('hearth.other.v1', 'account:sam@example.org')).not.toBe(hash);
		expect(new DataKeyring(randomBytes(32), [key]).keyedHash(purpose, 'account:sam@example.org')).not.toBe(hash);
	});

	it('are neither a plain hash of the value nor an HMAC under the data key itself', () => {
		const hash = new DataKeyring(key).keyedHash('hearth.sign-in-keys.v1', 'sam@example.org');
		expect(hash).toMatch(/^[0-9a-f]{64}$/);
		expect(hash).not.toBe(createHash('sha256').update('sam@example.org').digest('hex'));
		expect(hash).not.toBe(createHmac('sha256', key).update('sam@example.org').digest('hex'));
	});
});
