/*
 * Reading stored documents on the server, one at a time: the export, the arrival trends and anything else
 * that looks across a group's whole history (its board and every archive) reads through here, so a round
 * or a thread is found wherever archiving has put it.
 */
import type * as Y from 'yjs';
import { archiveDocumentName, groupDocumentName } from '$lib/board/document-names';
import { readDocument } from '../realtime/server-writes';
import { listArchives } from './archive';

/**
 * Reads a document as stored (decrypted here, on the server), hands it to `read` and lets it go: callers
 * that read many documents read them one at a time, so at most one is in memory at once.
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
