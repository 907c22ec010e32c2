/*
 * Replies whose post was deleted while they were being written. The post's card leaves the screen with
 * the box in it, so the words are kept here and shown beside the board instead of being lost. Browser
 * memory only (never storage), and only for this tab: the same life as the draft itself.
 */

export type OrphanedReply = { document: string; body: string; at: number };

class OrphanedReplies {
	#items = $state<OrphanedReply[]>([]);

	for(document: string): OrphanedReply[] {
		return this.#items.filter((item) => item.document === document);
	}

	keep(document: string, body: string): void {
		this.#items = [...this.#items, { document, body, at: Date.now() }];
	}

	dismiss(item: OrphanedReply): void {
		this.#items = this.#items.filter((other) => other !== item);
	}
}

/** Only ever filled in the browser (ThreadCard checks), so no one's words are held on the server. */
export const orphanedReplies = new OrphanedReplies();
