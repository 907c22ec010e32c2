import type * as Y from 'yjs';
import { getPostsMap, isThreadShown, readPost, type Post, type PostRoot, type Thread } from '$lib/board/posts';

/**
 * The posts of one live document as threads, kept up to date from what each change touched.
 *
 * A board holds years of posts, so a change must not cost a re-read of all of them. The index reads every
 * post once when a document arrives (a first sync or a resync); afterwards Yjs tells it which posts a
 * change touched (`observeDeep`), and only those are read again and only their threads rebuilt. Every
 * other post and thread keeps its object identity, so a keyed `{#each}` leaves their cards alone.
 *
 * `threads` follows `buildThreads` ($lib/board/posts.ts), newest first: a top-level post with its replies
 * (oldest first); a reply whose post is gone entirely as a thread of its own; tombstones as
 * `isThreadShown` says.
 */
export class PostIndex {
	readonly #root: PostRoot;
	#map: Y.Map<unknown> | null = null;
	#observer: ((events: Y.YEvent<Y.AbstractType<unknown>>[]) => void) | null = null;
	readonly #posts = new Map<string, Post>();
	/** Reply ids by the id of the post they answer. */
	readonly #replies = new Map<string, Set<string>>();
	readonly #threads = new Map<string, Thread>();
	/** Thread keys, oldest first. */
	#order: string[] = [];
	#list = $state.raw<Thread[]>([]);
	#changed = $state.raw<Post[]>([]);
	#version = $state(0);

	constructor(root: PostRoot = 'posts') {
		this.#root = root;
	}

	/** Threads, newest first. */
	get threads(): Thread[] {
		return this.#list;
	}

	/** Every well-formed post by id (read `version` to follow changes). */
	get posts(): ReadonlyMap<string, Post> {
		void this.#version;
		return this.#posts;
	}

	/** The posts the last change touched, as they are now (every post when a document arrived). */
	get changed(): Post[] {
		return this.#changed;
	}

	/** Changes whenever a post changes. */
	get version(): number {
		return this.#version;
	}

	get(postId: string): Post | null {
		void this.#version;
		return this.#posts.get(postId) ?? null;
	}

	/** Reads `doc` whole and follows its changes from now on (a new document replaces the old). */
	attach(doc: Y.Doc): void {
		this.detach();
		const map = getPostsMap(doc, this.#root);
		this.#map = map;
		for (const [id, value] of map.entries()) this.#store(id, readPost(value));
		for (const id of this.#posts.keys()) {
			const thread = this.#readThread(id);
			if (thread) this.#threads.set(id, thread);
		}
		this.#order = [...this.#threads.keys()].sort((a, b) =>
			comparePosts(this.#threads.get(a)!.post, this.#threads.get(b)!.post)
		);
		this.#observer = (events) => this.#apply(events);
		map.observeDeep(this.#observer);
		this.#publish([...this.#posts.values()]);
	}

	detach(): void {
		if (this.#map && this.#observer) this.#map.unobserveDeep(this.#observer);
		this.#map = null;
		this.#observer = null;
		this.#posts.clear();
		this.#replies.clear();
		this.#threads.clear();
		this.#order = [];
		this.#publish([]);
	}

	#apply(events: Y.YEvent<Y.AbstractType<unknown>>[]): void {
		const map = this.#map;
		if (!map) return;
		const touched = new Set<string>();
		for (const event of events) {
			if (event.target === map) for (const key of event.changes.keys.keys()) touched.add(key);
			else if (typeof event.path[0] === 'string') touched.add(event.path[0]);
		}
		// Threads whose shape may change: the touched posts', their parents', and their replies' (a post
		// that appears or vanishes adopts or orphans its replies).
		const keys = new Set<string>();
		const affect = (post: Post | undefined, id: string) => {
			keys.add(id);
			if (post?.parentId) keys.add(post.parentId);
			for (const reply of this.#replies.get(id) ?? []) keys.add(reply);
		};
		for (const id of touched) {
			affect(this.#posts.get(id), id);
			this.#store(id, readPost(map.get(id)));
			affect(this.#posts.get(id), id);
		}
		for (const key of keys) this.#rebuildThread(key);
		this.#publish([...touched].flatMap((id) => this.#posts.get(id) ?? []));
	}

	#store(id: string, post: Post | null): void {
		const old = this.#posts.get(id);
		if (old?.parentId) this.#replies.get(old.parentId)?.delete(id);
		if (!post || post.id !== id) {
			this.#posts.delete(id);
			return;
		}
		this.#posts.set(id, post);
		if (post.parentId) {
			let replies = this.#replies.get(post.parentId);
			if (!replies) this.#replies.set(post.parentId, (replies = new Set()));
			replies.add(id);
		}
	}

	/** Puts the thread keyed `key` in its place, or takes it away, as buildThreads would have it. */
	#rebuildThread(key: string): void {
		const had = this.#threads.get(key);
		if (had) {
			const at = this.#find(had.post);
			// Order is by creation time, which never changes; the fallback is for data that broke that rule.
			this.#order.splice(this.#order[at] === key ? at : this.#order.indexOf(key), 1);
			this.#threads.delete(key);
		}
		const thread = this.#readThread(key);
		if (!thread) return;
		this.#order.splice(this.#find(thread.post), 0, key);
		this.#threads.set(key, thread);
	}

	#readThread(key: string): Thread | null {
		const post = this.#posts.get(key);
		if (!post) return null;
		if (post.parentId) {
			const parent = this.#posts.get(post.parentId);
			// A reply shows under its post; only a reply whose post is gone stands on its own.
			return parent && !parent.parentId ? null : { post, replies: [] };
		}
		const replies = [...(this.#replies.get(key) ?? [])].map((id) => this.#posts.get(id)!).sort(comparePosts);
		return isThreadShown(post, replies.length) ? { post, replies } : null;
	}

	/** The first place in `#order` whose thread does not come before `post` (a binary search). */
	#find(post: Post): number {
		let low = 0;
		let high = this.#order.length;
		while (low < high) {
			const middle = (low + high) >> 1;
			if (comparePosts(this.#threads.get(this.#order[middle])!.post, post) < 0) low = middle + 1;
			else high = middle;
		}
		return low;
	}

	#publish(changed: Post[]): void {
		this.#changed = changed;
		const list: Thread[] = new Array(this.#order.length);
		for (let i = 0, j = this.#order.length - 1; j >= 0; i++, j--) list[i] = this.#threads.get(this.#order[j])!;
		this.#list = list;
		this.#version++;
	}
}

/** Oldest first, as `listPosts` orders them. */
function comparePosts(a: Post, b: Post): number {
	return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
