/*
 * The one-time setup code that guards /setup while the practice has no admin.
 *
 * `npm start` listens on every interface, so without it whoever reached /setup first became the practice
 * admin. Each process that starts while no admin exists makes a code and prints it in its own console
 * (hooks.server.ts init); the person setting Hearth up types it on /setup. Only someone who can read the
 * server's console can create the admin.
 *
 * Stored in the database, hashed (practice_setting `setup_codes`), not kept in memory: several processes
 * behind one address must all accept the code any of them printed, whichever one the browser reaches, and
 * a restart must not strand a code someone is typing. Each start adds its code (the last MAX_CODES are
 * kept); all of them stop working once the admin exists. A SHA-256 of a 10-character code from a 31-letter
 * alphabet (~49 bits) is safe here because guessing online is throttled and reading the hash needs the
 * database, which is the practice's anyway.
 *
 * Wrong codes are throttled per network address (hashed; IPv6 per /64) and in total, over a sliding
 * window, in the same row (locked while checked), so every process counts the same attempts. The total cap
 * bounds an attacker with many addresses: at 100 guesses per 15 minutes, 49 bits last far longer than any
 * setup takes. Its price: such an attacker can hold setup shut, so the refusal tells the person setting
 * up how to get past it (serve on 127.0.0.1 until the admin exists).
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { hasAdmin } from '../auth/accounts';
import { db } from '../db';
import { practiceSetting } from '../db/schema';

/** No 0/O, 1/I/L: the code is read off a terminal and typed by hand. */
export const SETUP_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;
const MAX_CODES = 10;
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES_PER_ADDRESS = 5;
const MAX_FAILURES = 100;
const KEY = 'setup_codes';

type SetupState = {
	codes: { hash: string; createdAt: number }[];
	failures: { address: string; at: number }[];
};

function isSetupState(value: unknown): value is SetupState {
	const state = value as SetupState | null;
	return Array.isArray(state?.codes) && Array.isArray(state?.failures);
}

function hashCode(code: string): string {
	return createHash('sha256').update(`hearth.setup-code.v1:${code}`).digest('hex');
}

function hashAddress(address: string): string {
	return createHash('sha256')
		.update(`hearth.setup-address.v1:${toNetwork(address)}`)
		.digest('hex')
		.slice(0, 32);
}

/** An IPv6 address counts as its /64, which one household or server usually holds whole; IPv4 as itself. */
function toNetwork(address: string): string {
	if (!address.includes(':') || /^::ffff:\d/i.test(address)) return address.replace(/^::ffff:/i, '');
	const [head, tail = ''] = address.toLowerCase().split('::');
	const left = head ? head.split(':') : [];
	const right = tail ? tail.split(':') : [];
	const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
	return (
		groups
			.slice(0, 4)
			.map((group) => group.replace(/^0+(?=.)/, ''))
			.join(':') + '::/64'
	);
}

/** What a person typed, as the code is stored: capitals, without spaces or dashes. */
function normaliseCode(typed: string): string {
	return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** The code as printed: two groups of five, easier to read off a terminal. */
function formatCode(code: string): string {
	return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/**
 * While no admin exists: makes a new setup code, stores its hash and returns it (formatted) for the
 * console. Once an admin exists: forgets every code and returns null.
 */
export async function openSetup(): Promise<string | null> {
	if (await hasAdmin()) {
		await closeSetup();
		return null;
	}
	let code = '';
	for (let i = 0; i < CODE_LENGTH; i++) code += SETUP_CODE_ALPHABET[randomInt(SETUP_CODE_ALPHABET.length)];
	await db.transaction(async (tx) => {
		const state = await lockState(tx);
		const codes = [...state.codes, { hash: hashCode(code), createdAt: Date.now() }].slice(-MAX_CODES);
		await saveState(tx, { ...state, codes });
	});
	return formatCode(code);
}

/** `throttled-everywhere`: the total cap, not this address, is used up (see the header). */
export type SetupCodeCheck = 'ok' | 'wrong' | 'throttled' | 'throttled-everywhere';

/** Checks a typed setup code; a wrong one counts against the address it came from. */
export async function checkSetupCode(typed: string, address: string): Promise<SetupCodeCheck> {
	const code = normaliseCode(typed);
	const addressKey = hashAddress(address);
	return db.transaction(async (tx) => {
		const state = await lockState(tx);
		const now = Date.now();
		const failures = state.failures.filter((failure) => failure.at > now - WINDOW_MS);
		const fromHere = failures.filter((failure) => failure.address === addressKey).length;
		if (fromHere >= MAX_FAILURES_PER_ADDRESS) return 'throttled';
		if (failures.length >= MAX_FAILURES) return 'throttled-everywhere';
		const hash = Buffer.from(hashCode(code), 'hex');
		if (state.codes.some((stored) => timingSafeEqual(Buffer.from(stored.hash, 'hex'), hash))) return 'ok';
		await saveState(tx, { ...state, failures: [...failures, { address: addressKey, at: now }] });
		return 'wrong';
	});
}

/** After the admin exists: no code opens /setup again. */
export async function closeSetup(): Promise<void> {
	await db.delete(practiceSetting).where(eq(practiceSetting.key, KEY));
}

/** What the console says while setup is open; `origin` unset in `vite dev`. */
export function describeSetupCode(code: string, origin: string | undefined): string {
	const where = origin ? `open ${new URL('/setup', origin).href}` : 'open /setup on the address Vite printed';
	return [
		'',
		'Hearth has no practice admin yet. To set it up,',
		`  ${where}`,
		`  and enter this one-time setup code: ${code}`,
		'Anyone who can read this console can use the code, until the admin account exists.',
		''
	].join('\n');
}

type Transaction = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** The setup row, locked for this transaction (created empty if missing, so there is a row to lock). */
async function lockState(tx: Transaction): Promise<SetupState> {
	await tx
		.insert(practiceSetting)
		.values({ key: KEY, value: { codes: [], failures: [] } })
		.onConflictDoNothing();
	const [row] = await tx
		.select({ value: practiceSetting.value })
		.from(practiceSetting)
		.where(eq(practiceSetting.key, KEY))
		.for('update');
	return row && isSetupState(row.value) ? row.value : { codes: [], failures: [] };
}

async function saveState(tx: Transaction, state: SetupState): Promise<void> {
	await tx.update(practiceSetting).set({ value: state, updatedAt: new Date() }).where(eq(practiceSetting.key, KEY));
}
