// Crisis lines an admin configures, and the urgent-message email, which must name nobody and quote nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { connection } from '$lib/server/db';
import { auditEvent } from '$lib/server/db/schema';
import { generateId } from '$lib/server/db/ids';
import { user } from '$lib/server/db/schema';
import { eq } from 'drizzle-orm';
import { DEFAULT_CRISIS_LINES, getCrisisLines, parseCrisisLines, setCrisisLines, telephoneOf } from './crisis-lines';
import { composeUrgentEmail } from './urgent';

afterAll(async () => {
	await connection.close();
});

describe('crisis lines', () => {
	it('default to the US 988 Lifeline until an admin sets them, then show the practice’s own', async () => {
		expect(await getCrisisLines()).toEqual(DEFAULT_CRISIS_LINES);
		expect(DEFAULT_CRISIS_LINES[0]).toMatchObject({ how: 'Call or text 988' });
		const adminId = generateId();
		await connection.db
			.insert(user)
			.values({ id: adminId, email: `${adminId}@example.org`, displayName: 'Admin', passwordHash: 'x', role: 'admin' });
		const lines = parseCrisisLines('Samaritans | Call 116 123\nShout | Text SHOUT to 85258');
		expect(lines).toEqual([
			{ name: 'Samaritans', how: 'Call 116 123' },
			{ name: 'Shout', how: 'Text SHOUT to 85258' }
		]);
		await setCrisisLines({ actorId: adminId, lines: lines as Exclude<typeof lines, string> });
		expect(await getCrisisLines()).toEqual(lines);
		const [event] = await connection.db.select().from(auditEvent).where(eq(auditEvent.actorId, adminId));
		expect(event).toMatchObject({ action: 'practice.crisis_lines_changed', detail: { lines: 2 } });
		expect(JSON.stringify(event)).not.toContain('Samaritans');
	});

	it('say what to fix in a malformed list', () => {
		expect(parseCrisisLines('')).toMatch(/at least one line/);
		expect(parseCrisisLines('Just a name')).toMatch(/name \| how to reach it/);
	});

	it('become tap-to-call links where they name a number', () => {
		expect(telephoneOf('Call or text 988')).toBe('tel:988');
		expect(telephoneOf('Call 116 123')).toBe('tel:116123');
		expect(telephoneOf('Chat at example.org')).toBeNull();
	});
});

describe('the urgent-message email', () => {
	// It takes only the origin, so it cannot name anyone; what is actually sent is checked in
	// tests/integration/support-urgent.spec.ts.
	it('points to Hearth, or says to sign in when the address is not configured', () => {
		expect(composeUrgentEmail('https://hearth.example.org')).toMatchObject({
			subject: 'An urgent message is waiting on Hearth',
			text: expect.stringContaining('Sign in to read it: https://hearth.example.org')
		});
		expect(composeUrgentEmail(undefined).text).toContain('Sign in to Hearth to read it.');
	});
});
