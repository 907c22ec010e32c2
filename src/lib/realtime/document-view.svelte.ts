import type * as Y from 'yjs';
import type { RealtimeDocument } from './realtime-document.svelte';

/**
 * Reactive state read from a live Y.Doc: `current` is `read(doc)`, recomputed when the document changes
 * (or is replaced after a resync). Reads are plain data (arrays, objects) so components never touch
 * Y types and cannot write to the document by accident.
 *
 * @example const threads = new DocumentView(board, (doc) => buildThreads(listPosts(doc)));
 */
export class DocumentView<T> {
	readonly #source: RealtimeDocument;
	readonly #read: (doc: Y.Doc) => T;

	constructor(source: RealtimeDocument, read: (doc: Y.Doc) => T) {
		this.#source = source;
		this.#read = read;
	}

	readonly #current = $derived.by(() => {
		void this.#source.version;
		return this.#read(this.#source.doc);
	});

	get current(): T {
		return this.#current;
	}
}
