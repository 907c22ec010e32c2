/*
 * Board changes that someone else may want to hear about: a reply to their post, a "me too" on it, a
 * new check-in round. The change policy finds them while it judges an update ($lib/board/facts.ts); the
 * realtime server hands them here once the update is stored (afterStoreUpdate), and they are turned into
 * notifications a moment later, in batches, off the room's queue: a notification never delays an
 * acknowledgement or the fan-out.
 *
 * Who is told is decided here, with the same gate as the sockets (getDocumentAccess): only people who may
 * open the document the change is in — a reply in someone's care space reaches only them and the
 * facilitators, a facilitators-only post never tells a member anything — and never the person who made
 * the change.
 */
import type { BoardFact } from '$lib/board/facts';
import type { ParsedDocumentName } from '$lib/board/document-names';
import { and, eq } from 'drizzle-orm';
import { db } from '../db';
import { groupMember } from '../db/schema';
import { getGroupAccess } from '../groups/access';
import { log } from '../log';
import { getDocumentAccess } from '../realtime/access';
import { notify } from './notifications';

export interface StoredFacts {
	document: ParsedDocumentName;
	userId: string;
	facts: readonly BoardFact[];
}

/** How long facts wait to be handled together. */
const BATCH_MS = 50;

let pending: StoredFacts[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let running: Promise<void> = Promise.resolve();

/** Takes the facts of one stored update; returns at once and never throws. */
export function acceptBoardFacts(update: StoredFacts): void {
	if (update.facts.length === 0) return;
	pending.push(update);
	timer ??= setTimeout(() => {
		timer = undefined;
		const batch = pending;
		pending = [];
		running = running
			.then(() => notifyBoardFacts(batch))
			.catch((error) => {
				log.error({ area: 'notifications', error, updates: batch.length }, 'notifications for board changes failed');
			});
	}, BATCH_MS);
}

/** Resolves once every fact accepted so far has been handled (tests, shutdown). */
export async function settleBoardFacts(): Promise<void> {
	while (timer !== undefined || pending.length > 0) await new Promise((resolve) => setTimeout(resolve, BATCH_MS));
	await running;
}

/** Turns the facts of stored updates into notifications for the people who may see them. */
export async function notifyBoardFacts(updates: readonly StoredFacts[]): Promise<void> {
	for (const { document, userId: actorId, facts } of updates) {
		if (document.kind === 'journal') continue; // the journal's one reader is its writer
		const groupId = document.groupId;
		const where = {
			actorId,
			space: document.kind,
			careOf: document.kind === 'care' ? document.userId : undefined
		};
		for (const fact of facts) {
			switch (fact.kind) {
				case 'reply':
					await notify(await whoMaySee(document, [fact.parentAuthorId]), 'reply', groupId, {
						...where,
						targetId: fact.parentId
					});
					break;
				case 'metoo':
					await notify(await whoMaySee(document, [fact.postAuthorId]), 'metoo', groupId, {
						...where,
						targetId: fact.postId
					});
					break;
				case 'round_opened':
					await notify(await whoMaySee(document, await listActiveMemberIds(groupId)), 'round_opened', groupId, {
						...where,
						targetId: fact.roundId
					});
					break;
			}
		}
	}
}

/** Those of `userIds` who may open `document` now (the sockets' own rule). */
async function whoMaySee(document: ParsedDocumentName, userIds: readonly string[]): Promise<string[]> {
	const allowed: string[] = [];
	for (const userId of userIds) {
		const access = await getDocumentAccess(userId, document, getGroupAccess);
		if (access.ok) allowed.push(userId);
	}
	return allowed;
}

async function listActiveMemberIds(groupId: string): Promise<string[]> {
	const rows = await db
		.select({ userId: groupMember.userId })
		.from(groupMember)
		.where(and(eq(groupMember.groupId, groupId), eq(groupMember.status, 'active')));
	return rows.map((row) => row.userId);
}
