/*
 * Each group's check-in prompt library: what a facilitator picks from when opening a round. A group's
 * library starts as a copy of Hearth's starter set the first time it is read, and is the group's own
 * from then on — edited by its facilitators (routes guard with requireFacilitator), never shared.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { checkInPrompt, promptKinds, promptLibrary, type PromptKind } from '../db/schema';
import { GroupRuleError, NotInGroupError } from '../groups/errors';
import { checkInput } from '../forms';
import { promptKind, promptText } from './forms';

export const PROMPT_KIND_LABELS: Record<PromptKind, string> = {
	arriving: 'Arriving',
	preparation: 'Preparation',
	post_journey: 'After a journey',
	alumni: 'Alumni'
};

/** Hearth's starter set: gentle, open questions a therapist might ask in each part of the program. */
export const STARTER_PROMPTS: Record<PromptKind, string[]> = {
	arriving: [
		'How are you arriving today?',
		'What is one word for where you are right now?',
		'What are you bringing into the circle, and what would you like to set down?'
	],
	preparation: [
		'What intention are you forming for the journeys ahead?',
		'What feels exciting, and what feels uncertain, about the journey?',
		'What helps you feel safe and supported?'
	],
	post_journey: [
		'What came up for you in the journey?',
		'What do you want to remember from it?',
		'How did your intention show up, if it did?',
		'What does your body need today?'
	],
	alumni: [
		'What has been alive for you since we last met?',
		'Where have you noticed your integration showing up in daily life?',
		'What support would help you this month?'
	]
};

export type PromptView = { id: string; kind: PromptKind; text: string };

const toRuleError = (message: string) => new GroupRuleError(message);

function readPromptText(text: string): string {
	return checkInput(promptText, text, toRuleError);
}

/** Copies the starter set in, once per group; a library emptied on purpose stays empty. */
async function ensureLibrary(tx: Database, groupId: string): Promise<void> {
	const created = await tx.insert(promptLibrary).values({ groupId }).onConflictDoNothing().returning();
	if (created.length === 0) return;
	const rows = promptKinds.flatMap((kind) =>
		STARTER_PROMPTS[kind].map((text, position) => ({ id: generateId(), groupId, kind, text, position }))
	);
	await tx.insert(checkInPrompt).values(rows);
}

/** The group's prompts by kind, in order; creates the library from the starter set on first use. */
export async function listPrompts(groupId: string): Promise<PromptView[]> {
	return db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		await ensureLibrary(tx, groupId);
		const rows = await tx
			.select({ id: checkInPrompt.id, kind: checkInPrompt.kind, text: checkInPrompt.text })
			.from(checkInPrompt)
			.where(eq(checkInPrompt.groupId, groupId))
			.orderBy(asc(checkInPrompt.kind), asc(checkInPrompt.position), asc(checkInPrompt.createdAt));
		return promptKinds.flatMap((kind) => rows.filter((row) => row.kind === kind));
	});
}

export async function addPrompt(input: {
	groupId: string;
	actorId: string;
	kind: string;
	text: string;
}): Promise<string> {
	const kind = checkInput(promptKind, input.kind, toRuleError);
	const text = readPromptText(input.text);
	return db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		await ensureLibrary(tx, input.groupId);
		const [{ next }] = await tx
			.select({ next: sql<number>`coalesce(max(${checkInPrompt.position}) + 1, 0)::int` })
			.from(checkInPrompt)
			.where(and(eq(checkInPrompt.groupId, input.groupId), eq(checkInPrompt.kind, kind)));
		const id = generateId();
		await tx.insert(checkInPrompt).values({ id, groupId: input.groupId, kind, text, position: next });
		await tx.update(promptLibrary).set({ updatedBy: input.actorId }).where(eq(promptLibrary.groupId, input.groupId));
		return id;
	});
}

/** Rewords one of the group's prompts; NotInGroupError for a prompt of another group. */
export async function updatePrompt(input: {
	groupId: string;
	actorId: string;
	promptId: string;
	text: string;
}): Promise<void> {
	const text = readPromptText(input.text);
	const changed = await db
		.update(checkInPrompt)
		.set({ text })
		.where(and(eq(checkInPrompt.id, input.promptId), eq(checkInPrompt.groupId, input.groupId)))
		.returning({ id: checkInPrompt.id });
	if (changed.length === 0) throw new NotInGroupError();
	await db.update(promptLibrary).set({ updatedBy: input.actorId }).where(eq(promptLibrary.groupId, input.groupId));
}

export async function removePrompt(input: { groupId: string; actorId: string; promptId: string }): Promise<void> {
	const removed = await db
		.delete(checkInPrompt)
		.where(and(eq(checkInPrompt.id, input.promptId), eq(checkInPrompt.groupId, input.groupId)))
		.returning({ id: checkInPrompt.id });
	if (removed.length === 0) throw new NotInGroupError();
	await db.update(promptLibrary).set({ updatedBy: input.actorId }).where(eq(promptLibrary.groupId, input.groupId));
}
