/*
 * Compaction: folding a document's stored updates into one garbage-collected snapshot (storage.ts
 * `compact`). It is how deleted words leave storage and how documents stay quick to load. One verb,
 * `compact`, at every level: storage, this scheduler, the server, and `compactDocument` for the app.
 *
 * When, for a document this process writes to:
 *   - soon after an accepted update removes a whole entry of a root map (a post, a note, a flag, a
 *     hidden post): the room's document dropped its words at once (gc), the update rows still hold them;
 *     removals close together share one compaction;
 *   - every `compactEvery` accepted updates (edits and reactions, which delete inside an entry, wait
 *     for this or the next);
 *   - when the document unloads, if this process stored anything since it last compacted it;
 *   - on demand (redaction, moderation, account deletion).
 */
import * as Y from 'yjs';
import type { RealtimeLog } from './room';
import type { DocumentStorage } from './storage';

/** How long after a removal the document is compacted; removals within it share one compaction. */
export const REMOVAL_COMPACTION_DELAY_MS = 500;

export class Compaction {
	readonly #storage: DocumentStorage;
	readonly #every: number;
	readonly #settle: (document: string) => Promise<void>;
	readonly #log: RealtimeLog;
	/** Accepted updates stored by this process since it last compacted each document. */
	readonly #stored = new Map<string, number>();
	readonly #running = new Map<string, Promise<void>>();
	readonly #soon = new Map<string, ReturnType<typeof setTimeout>>();

	constructor(options: {
		storage: DocumentStorage;
		every: number;
		/** Waits until a loaded document's changes in flight have committed (nothing when not loaded). */
		settle: (document: string) => Promise<void>;
		log: RealtimeLog;
	}) {
		this.#storage = options.storage;
		this.#every = options.every;
		this.#settle = options.settle;
		this.#log = options.log;
	}

	afterStore(document: string, removesEntry: boolean): void {
		const stored = (this.#stored.get(document) ?? 0) + 1;
		this.#stored.set(document, stored);
		if (removesEntry) this.#compactSoon(document);
		else if (stored >= this.#every && !this.#running.has(document)) this.#compactInBackground(document);
	}

	/** Whether this process stored updates to the document since it last compacted it. */
	isDue(document: string): boolean {
		return (this.#stored.get(document) ?? 0) > 0;
	}

	/** Compacts now, after the document's changes in flight, and after any compaction already running. */
	compact(document: string): Promise<void> {
		const previous = this.#running.get(document) ?? Promise.resolve();
		const run = previous
			.catch(() => {})
			.then(async () => {
				await this.#settle(document);
				this.#stored.delete(document);
				await this.#storage.compact(document);
			});
		const tail = run.finally(() => {
			if (this.#running.get(document) === tail) this.#running.delete(document);
		});
		this.#running.set(document, tail);
		return run;
	}

	/** Waits for the compactions running or scheduled (on shutdown). */
	async finish(): Promise<void> {
		for (const [document, timer] of this.#soon) {
			clearTimeout(timer);
			this.#compactInBackground(document);
		}
		this.#soon.clear();
		await Promise.allSettled(this.#running.values());
	}

	#compactSoon(document: string) {
		if (this.#soon.has(document)) return;
		const timer = setTimeout(() => {
			this.#soon.delete(document);
			this.#compactInBackground(document);
		}, REMOVAL_COMPACTION_DELAY_MS);
		timer.unref?.();
		this.#soon.set(document, timer);
	}

	#compactInBackground(document: string) {
		this.compact(document).catch((error) => this.#log.error('compacting a document failed', { error }));
	}
}

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
