import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	buildThreads,
	createPost,
	editPost,
	listPosts,
	removePost,
	toggleReaction,
	type Thread
} from '$lib/board/posts';
import { PostIndex } from './post-index.svelte';

const ALEX = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const SAM = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const T0 = Date.UTC(2026, 0, 1);

/** What a full re-read of the document says, newest first: the index must always agree with it. */
const fullRead = (doc: Y.Doc): Thread[] => buildThreads(listPosts(doc)).reverse();

describe('PostIndex', () => {
	it('agrees with a full re-read after every change of a long random history, local and remote', () => {
		const doc = new Y.Doc();
		const remote = new Y.Doc();
		doc.on(
			'update',
			(update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(remote, update, 'remote')
		);
		remote.on(
			'update',
			(update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(doc, update, 'remote')
		);
		const index = new PostIndex();
		index.attach(doc);
		let seed = 11;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		for (let step = 0; step < 400; step++) {
			const writer = random() < 0.5 ? doc : remote;
			const author = random() < 0.5 ? ALEX : SAM;
			const live = listPosts(writer).filter((post) => post.state === 'live');
			const pick = () => live[Math.floor(random() * live.length)];
			const roll = random();
			const now = T0 + Math.floor(random() * 1000) * 60_000;
			if (roll < 0.35 || live.length === 0) createPost(writer, { authorId: author, body: `post ${step}` }, { now });
			else if (roll < 0.55) {
				const parent = pick();
				if (!parent.parentId)
					createPost(writer, { authorId: author, body: `reply ${step}`, parentId: parent.id }, { now });
			} else if (roll < 0.7) toggleReaction(writer, pick().id, 'metoo', author, { now });
			else if (roll < 0.8) editPost(writer, pick().id, `edited ${step}`, { now });
			// Removing deletes outright or leaves a tombstone; deleting the tombstone's last reply drops it.
			else
				removePost(writer, pick().id, { userId: author, removal: random() < 0.5 ? 'author' : 'facilitator' }, { now });
			expect(index.threads).toEqual(fullRead(doc));
		}
		expect(index.threads.length).toBeGreaterThan(20);
	});

	it('keeps the objects of threads a change did not touch, so their cards are left alone', () => {
		const doc = new Y.Doc();
		const index = new PostIndex();
		index.attach(doc);
		const first = createPost(doc, { authorId: ALEX, body: 'First' }, { now: T0 });
		const second = createPost(doc, { authorId: SAM, body: 'Second' }, { now: T0 + 1 });
		const before = index.threads;
		toggleReaction(doc, second, 'holding', ALEX);
		const after = index.threads;
		expect(after.find((thread) => thread.post.id === first)).toBe(before.find((thread) => thread.post.id === first));
		expect(after.find((thread) => thread.post.id === second)).not.toBe(
			before.find((thread) => thread.post.id === second)
		);
		// What the change touched is told on its own, for views that follow changes rather than re-read.
		expect(index.changed.map((post) => post.id)).toEqual([second]);
	});

	it('reads a new document whole when the old one is replaced, and forgets the old one', () => {
		const old = new Y.Doc();
		const index = new PostIndex();
		index.attach(old);
		createPost(old, { authorId: ALEX, body: 'Before the resync' }, { now: T0 });
		const fresh = new Y.Doc();
		createPost(fresh, { authorId: SAM, body: 'From the server' }, { now: T0 + 1 });
		index.attach(fresh);
		expect(index.threads.map((thread) => thread.post.state === 'live' && thread.post.body)).toEqual([
			'From the server'
		]);
		createPost(old, { authorId: ALEX, body: 'Too late' }, { now: T0 + 2 });
		expect(index.threads).toHaveLength(1);
	});
});
