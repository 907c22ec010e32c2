// The one-time setup code: printed while no admin exists, checked on /setup, throttled when wrong,
// accepted from any process that printed one, and useless once the admin exists.
import { afterAll, describe, expect, it } from 'vitest';
import { connection } from '$lib/server/db';
import { generateId } from '$lib/server/db/ids';
import { user } from '$lib/server/db/schema';
import { SETUP_CODE_ALPHABET, checkSetupCode, closeSetup, describeSetupCode, openSetup } from './setup-code';

afterAll(async () => {
	await connection.close();
});

describe('the setup code', () => {
	it('is ten unambiguous characters, printed with the address to open', async () => {
		const code = await openSetup();
		expect(code).toMatch(new RegExp(`^[${SETUP_CODE_ALPHABET}]{5}-[${SETUP_CODE_ALPHABET}]{5}$`));
		expect(SETUP_CODE_ALPHABET).not.toMatch(/[01OIL]/);
		const message = describeSetupCode(code!, 'http://localhost:3000');
		expect(message).toContain('http://localhost:3000/setup');
		expect(message).toContain(code);
	});

	it('opens setup as typed by a person; a wrong one does not', async () => {
		const code = (await openSetup())!;
		expect(await checkSetupCode('ABCDE-FGHJK', '203.0.113.1')).toBe('wrong');
		expect(await checkSetupCode(` ${code.replace('-', '').toLowerCase()} `, '203.0.113.1')).toBe('ok');
	});

	it('from every process that printed one (several processes, restarts)', async () => {
		const first = (await openSetup())!;
		const second = (await openSetup())!;
		expect(first).not.toBe(second);
		expect(await checkSetupCode(first, '203.0.113.2')).toBe('ok');
		expect(await checkSetupCode(second, '203.0.113.2')).toBe('ok');
	});

	it('is throttled after five wrong tries from one address, even the right code; other addresses go on', async () => {
		const code = (await openSetup())!;
		for (let i = 0; i < 5; i++) expect(await checkSetupCode(`WRONG${i}ABCD`, '198.51.100.7')).toBe('wrong');
		expect(await checkSetupCode(code, '198.51.100.7')).toBe('throttled');
		expect(await checkSetupCode(code, '198.51.100.8')).toBe('ok');
	});

	it('counts an IPv6 address as its /64, so rotating addresses inside one network gains nothing', async () => {
		const code = (await openSetup())!;
		for (let i = 1; i <= 5; i++) expect(await checkSetupCode('WRONGABCDE', `2001:db8:1:2::${i}`)).toBe('wrong');
		expect(await checkSetupCode(code, '2001:0db8:0001:0002:ffff::9')).toBe('throttled');
		expect(await checkSetupCode(code, '2001:db8:1:3::1')).toBe('ok');
	});

	it('is throttled for everyone after a hundred wrong tries from anywhere', { timeout: 60_000 }, async () => {
		await closeSetup();
		const code = (await openSetup())!;
		for (let i = 0; i < 100; i++) await checkSetupCode('WRONGABCDE', `192.0.2.${i}`);
		expect(await checkSetupCode(code, '203.0.113.99')).toBe('throttled-everywhere');
		await closeSetup();
	});

	it('stops working once the admin exists', async () => {
		const code = (await openSetup())!;
		await connection.db
			.insert(user)
			.values({
				id: generateId(),
				email: `${generateId()}@example.org`,
				displayName: 'Admin',
				passwordHash: 'x',
				role: 'admin'
			});
		expect(await openSetup()).toBeNull();
		expect(await checkSetupCode(code, '203.0.113.3')).toBe('wrong');
		await closeSetup();
	});
});
