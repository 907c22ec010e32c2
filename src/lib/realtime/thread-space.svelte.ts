import { onMount, untrack } from 'svelte';
import { describeBodyProblem, editPost, removePost, toggleReaction, type Post } from '$lib/board/posts';
import type { ReactionKind } from '$lib/board/schema';
import type { PostIndex } from './post-index.svelte';
import type { RealtimeDocument } from './realtime-document.svelte';

/** What a thread card may do to the posts of one live document, as its signed-in author. */
export interface ThreadActions {
	reply(parentId: string, body: string): string | null;
	edit(postId: string, body: string): string | null;
	remove(postId: string): void;
	react(postId: string, kind: ReactionKind): void;
}

/**
 * Reply, edit, delete and react on `space` as `userId`. `write` creates a post or reply after the
 * caller's own checks and returns a message for the person when it cannot. The document is read at call
 * time: after a refusal the space starts again from a fresh one.
 */
export function createThreadActions(
	space: RealtimeDocument,
	userId: string,
	write: (body: string, parentId?: string) => string | null
): ThreadActions {
	return {
		reply: (parentId, body) => write(body, parentId),
		edit(postId, body) {
			const problem = describeBodyProblem(body);
			if (problem) return problem;
			editPost(space.doc, postId, body);
			return null;
		},
		remove(postId) {
			removePost(space.doc, postId, { userId, removal: 'author' });
		},
		react(postId, kind) {
			toggleReaction(space.doc, postId, kind, userId);
		}
	};
}

/**
 * A polite screen-reader line for posts others add, once the first sync has shown what was already
 * there. Create it while a component initialises (it owns an effect).
 */
export class NewPostAnnouncer {
	text = $state('');
	#seen: Set<string> | null = null;

	constructor(options: {
		space: RealtimeDocument;
		posts: PostIndex;
		/** Whether a post shows in the view being looked at (e.g. this session's); all when left out. */
		shows?: (post: Post) => boolean;
		userId: string;
		nameOf: (userId: string) => string;
		noun: { one: string; many: string };
	}) {
		// Only what each change touched is looked at, never the whole board.
		$effect(() => {
			const changed = options.posts.changed;
			if (this.#seen === null) {
				if (options.space.connection !== 'live') return;
				this.#seen = new Set(untrack(() => options.posts.posts.keys()));
				return;
			}
			const seen = this.#seen;
			const fresh = changed.filter(
				(post) =>
					!seen.has(post.id) &&
					post.state === 'live' &&
					post.authorId !== options.userId &&
					(options.shows?.(post) ?? true)
			);
			for (const post of changed) seen.add(post.id);
			if (fresh.length === 1 && fresh[0].state === 'live') {
				const who = options.nameOf(fresh[0].authorId);
				this.text = fresh[0].parentId ? `${who} replied.` : `New ${options.noun.one} from ${who}.`;
			} else if (fresh.length > 1) {
				this.text = `${fresh.length} new ${options.noun.many}.`;
			}
		});
	}
}

/** The current time, refreshed every half minute, for "just now" / "5 minutes ago". */
export class MinuteClock {
	now = $state(Date.now());

	constructor() {
		onMount(() => {
			const timer = setInterval(() => (this.now = Date.now()), 30_000);
			return () => clearInterval(timer);
		});
	}
}

/**
 * The first `size` items of a long list (the newest threads), and more on request: a board of years
 * shows what is recent and stays light, and everything earlier is one button away.
 */
export class ListWindow<T> {
	readonly #all: () => T[];
	readonly #size: number;
	#shown = $state(0);
	readonly #visible = $derived.by(() => this.#all().slice(0, this.#shown));
	readonly #more = $derived.by(() => Math.max(0, this.#all().length - this.#shown));

	constructor(all: () => T[], size = 30) {
		this.#all = all;
		this.#size = size;
		this.#shown = size;
	}

	get visible(): T[] {
		return this.#visible;
	}

	/** How many are not shown yet. */
	get more(): number {
		return this.#more;
	}

	showMore(): void {
		this.#shown += this.#size;
	}
}
