/*
 * The crisis lines a practice shows on every signed-in page ("Support now"). An admin sets them; until
 * then the US default applies. Stored in practice_setting under one key as a small JSON list.
 */
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { db } from '../db';
import { practiceSetting } from '../db/schema';

export type CrisisLine = { name: string; how: string };

const KEY = 'crisis_lines';
const MAX_LINES = 8;
const MAX_CHARS = 200;

export const DEFAULT_CRISIS_LINES: CrisisLine[] = [
	{ name: '988 Suicide & Crisis Lifeline', how: 'Call or text 988' },
	{ name: 'Emergency services', how: 'Call 911' }
];

function isCrisisLines(value: unknown): value is CrisisLine[] {
	return Array.isArray(value) && value.every((line) => typeof line?.name === 'string' && typeof line?.how === 'string');
}

export async function getCrisisLines(): Promise<CrisisLine[]> {
	const [row] = await db
		.select({ value: practiceSetting.value })
		.from(practiceSetting)
		.where(eq(practiceSetting.key, KEY));
	return row && isCrisisLines(row.value) && row.value.length > 0 ? row.value : DEFAULT_CRISIS_LINES;
}

/**
 * Reads the admin form's text: one line per crisis line, "name | how to reach it". Returns the lines or
 * a message saying what to fix.
 */
export function parseCrisisLines(text: string): CrisisLine[] | string {
	const lines = text
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	if (lines.length === 0)
		return 'Add at least one line, for example “988 Suicide & Crisis Lifeline | Call or text 988”.';
	if (lines.length > MAX_LINES)
		return `Keep it to ${MAX_LINES} lines or fewer, so people in crisis find theirs quickly.`;
	const parsed: CrisisLine[] = [];
	for (const line of lines) {
		const [name, how, ...rest] = line.split('|').map((part) => part.trim());
		if (!name || !how || rest.length > 0)
			return `Write each line as “name | how to reach it”: “${line.slice(0, 60)}” is missing one.`;
		if (line.length > MAX_CHARS) return `Each line can be at most ${MAX_CHARS} characters.`;
		parsed.push({ name, how });
	}
	return parsed;
}

export function formatCrisisLines(lines: CrisisLine[]): string {
	return lines.map((line) => `${line.name} | ${line.how}`).join('\n');
}

export async function setCrisisLines(input: { actorId: string; lines: CrisisLine[] }): Promise<void> {
	const now = new Date();
	await db
		.insert(practiceSetting)
		.values({ key: KEY, value: input.lines, updatedAt: now, updatedBy: input.actorId })
		.onConflictDoUpdate({
			target: practiceSetting.key,
			set: { value: input.lines, updatedAt: now, updatedBy: input.actorId }
		});
	await recordAudit({
		action: 'practice.crisis_lines_changed',
		actorId: input.actorId,
		objectType: 'practice',
		detail: { lines: input.lines.length }
	});
}

/** A tel: link for a line whose "how" names a number to call, else null. */
export function telephoneOf(how: string): string | null {
	const match = /(?:call|text)\s+(?:or\s+text\s+)?([+\d][\d\s-]{1,18}\d)/i.exec(how);
	return match ? `tel:${match[1].replace(/[\s-]/g, '')}` : null;
}
