/*
 * Deleting a post must purge it: once a person deletes their post (or a facilitator's client replaces
 * it with a tombstone), its words must leave storage, not only screens. The room's document drops them
 * at once (gc), but the stored update rows still hold them until a compaction folds them into a
 * garbage-collected snapshot. So when an accepted update removes a whole entry of a root map (a post,
 * a note, a flag, a hidden post), the room asks for a compaction of that document shortly after.
 *
 * Edits and reaction changes (deletions inside an entry) do not trigger it, so a busy board does not
 * compact on every keystroke-sized change; those are folded by the regular compactions (every 500
 * updates and when the document unloads).
 */
import * as Y from 'yjs';

/** How long after a removal the document is compacted; removals within it share one compaction. */
export const PURGE_DELAY_MS = 500;

// Which documents have a purge scheduled (names only, never content).
const scheduled = new Map<string, ReturnType<typeof setTimeout>>();

/**
 * Whether `update`, already applied to `doc`, deleted a top-level entry of one of the document's root
 * maps. Never throws.
 */
export function removesRootEntry(doc: Y.Doc, update: Uint8Array): boolean {
	try {
		const { ds } = Y.decodeUpdate(update);
		for (const [client, ranges] of ds.clients) {
			const structs = doc.store.clients.get(client);
			if (!structs) continue;
			for (const range of ranges) {
				let index = Y.findIndexSS(structs, range.clock);
				while (index < structs.length && structs[index].id.clock < range.clock + range.len) {
					const struct = structs[index];
					if (
						struct instanceof Y.Item &&
						struct.parentSub !== null &&
						struct.parent instanceof Y.AbstractType &&
						struct.parent._item === null
					) {
						return true;
					}
					index++;
				}
			}
		}
	} catch {
		return false;
	}
	return false;
}

/** Compacts `document` soon (once, however many removals arrive meanwhile); failures are logged. */
export function schedulePurge(
	document: string,
	compact: () => Promise<unknown>,
	log: { error(message: string, detail?: Record<string, unknown>): void }
): void {
	if (scheduled.has(document)) return;
	const timer = setTimeout(() => {
		scheduled.delete(document);
		compact().catch((error) => log.error('purging removed content failed', { error }));
	}, PURGE_DELAY_MS);
	timer.unref?.();
	scheduled.set(document, timer);
}
