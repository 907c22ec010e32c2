import type * as Y from 'yjs';
import { archiveDocumentName, groupDocumentName } from '$lib/board/document-names';
import { listArchives } from '../archive/archive';
import { readDocument } from '../realtime/server-writes';
import type { Post } from '$lib/board/posts';
import { iso, isoOrNull, type ExportedSession } from './shape';
import { describeSession } from '../schedule/program';
import type { ProgramSession } from '../db/schema';

/**
 * Reads a document as stored (decrypted here, on the server), hands it to `read` and lets it go: an
 * export reads many documents, one at a time, so at most one is in memory at once.
 */
export async function withDocument<T>(name: string, read: (doc: Y.Doc) => T): Promise<T> {
	const doc = await readDocument(name);
	try {
		return read(doc);
	} finally {
		doc.destroy();
	}
}

/** A group's board and then each of its archives, oldest period first, each read as `withDocument` does. */
export async function readBoardAndArchives<T>(
	groupId: string,
	read: (doc: Y.Doc, place: 'board' | 'archive') => T
): Promise<T[]> {
	const results = [await withDocument(groupDocumentName(groupId), (doc) => read(doc, 'board'))];
	for (const period of (await listArchives(groupId)).sort()) {
		results.push(await withDocument(archiveDocumentName(groupId, period), (doc) => read(doc, 'archive')));
	}
	return results;
}

/** Sessions by id, as an export names them ("Journey 2", when it began). */
export function indexSessions(sessions: ProgramSession[]): Map<string, ExportedSession> {
	return new Map(
		sessions.map((session) => [
			session.id,
			{ id: session.id, label: describeSession(session), startsAt: iso(session.startsAt) }
		])
	);
}

/** What every export says of a post, whoever wrote it; a removed post has no words, prompt or edit. */
export function describePost(post: Post, sessions: Map<string, ExportedSession>) {
	const live = post.state === 'live' ? post : null;
	return {
		id: post.id,
		kind: post.kind,
		body: live?.body ?? null,
		createdAt: iso(post.createdAt),
		editedAt: isoOrNull(live?.editedAt),
		prompt: live?.prompt ?? null,
		session: (post.sessionId && sessions.get(post.sessionId)) || null,
		replyTo: post.parentId ?? null
	};
}
