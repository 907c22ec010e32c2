import type * as Y from 'yjs';
import type { RealtimeDocument } from './realtime-document.svelte';

/**
 * Reactive state read from a live Y.Doc: `current` is `read(doc)`, recomputed when the document changes
 * (or is replaced after a resync). Reads are plain data (arrays, objects) so components never touch
 * Y types and cannot write to the document by accident.
 *
 * With `roots`, it recomputes only when one of those roots changed: a view of the pins need not run
 * again for every new post. Posts themselves have an incremental index: `RealtimeDocument.posts()`.
 *
 * @example const pins = new DocumentView(board, getPins, { roots: ['pins'] });
 */
export class DocumentView<T> {
	readonly #source: RealtimeDocument;
	readonly #read: (doc: Y.Doc) => T;
	readonly #roots: readonly string[] | null;

	constructor(source: RealtimeDocument, read: (doc: Y.Doc) => T, options: { roots?: readonly string[] } = {}) {
		this.#source = source;
		this.#read = read;
		this.#roots = options.roots ?? null;
	}

	readonly #current = $derived.by(() => {
		if (this.#roots) for (const root of this.#roots) void this.#source.versionOf(root);
		else void this.#source.version;
		return this.#read(this.#source.doc);
	});

	get current(): T {
		return this.#current;
	}
}
