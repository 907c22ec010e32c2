// Facts: what an accepted change did that someone else may want to hear about, found by the change policy
// while it walks the new structs (policy.ts), so nothing walks the document a second time. They carry ids
// only; whether the person may see the document, and whether it is their own doing, is decided by the
// server after the change is stored (src/lib/server/notifications/board-facts.ts).

export type BoardFact =
	/** A new reply under a post written by `parentAuthorId`. */
	| { kind: 'reply'; postId: string; parentId: string; parentAuthorId: string }
	/** A new "me too" on a post written by `postAuthorId`. */
	| { kind: 'metoo'; postId: string; postAuthorId: string }
	/** A new check-in round. */
	| { kind: 'round_opened'; roundId: string };
