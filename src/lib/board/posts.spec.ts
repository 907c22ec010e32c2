import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createBoardId } from './ids';
import {
	BoardInputError,
	buildThreads,
	createPost,
	describeBodyProblem,
	editPost,
	getPost,
	listPosts,
	readPost,
	removePost,
	toggleReaction
} from './posts';
import { LIMITS } from './schema';

const alice = createBoardId();
const bob = createBoardId();
const NOW = Date.UTC(2026, 0, 10, 18);

describe('posts', () => {
	it('writes a post others can read back exactly', () => {
		const doc = new Y.Doc();
		const id = createPost(doc, { authorId: alice, body: 'Arriving tired but here.' }, { now: NOW });
		expect(getPost(doc, id)).toEqual({
			state: 'live',
			id,
			authorId: alice,
			createdAt: NOW,
			kind: 'post',
			body: 'Arriving tired but here.',
			reactions: []
		});
	});

	it('edits, reacts and takes a reaction back', () => {
		const doc = new Y.Doc();
		const id = createPost(doc, { authorId: alice, body: 'first' }, { now: NOW });
		editPost(doc, id, 'second', { now: NOW + 1000 });
		expect(toggleReaction(doc, id, 'metoo', bob, { now: NOW + 2000 })).toBe(true);
		const post = getPost(doc, id);
		expect(post).toMatchObject({
			body: 'second',
			editedAt: NOW + 1000,
			reactions: [{ kind: 'metoo', userId: bob, at: NOW + 2000 }]
		});
		expect(toggleReaction(doc, id, 'metoo', bob)).toBe(false);
		expect(getPost(doc, id)).toMatchObject({ reactions: [] });
	});

	it('removes a post without replies completely, and leaves a tombstone when others replied', () => {
		const doc = new Y.Doc();
		const lonely = createPost(doc, { authorId: alice, body: 'gone soon' }, { now: NOW });
		removePost(doc, lonely, { userId: alice, removal: 'author' });
		expect(doc.getMap('posts').has(lonely)).toBe(false);
		expect(JSON.stringify(Y.encodeStateAsUpdate(doc))).not.toContain('gone soon');

		const parent = createPost(doc, { authorId: alice, body: 'a hard week' }, { now: NOW });
		createPost(doc, { authorId: bob, body: 'me too', parentId: parent }, { now: NOW + 1 });
		removePost(doc, parent, { userId: alice, removal: 'author' }, { now: NOW + 2 });
		expect(getPost(doc, parent)).toEqual({
			state: 'removed',
			id: parent,
			createdAt: NOW,
			kind: 'post',
			removedAt: NOW + 2,
			removedBy: alice,
			removal: 'author'
		});
		const threads = buildThreads(listPosts(doc));
		expect(threads).toHaveLength(1);
		expect(threads[0].replies).toHaveLength(1);
	});

	it('garbage-collects removed words from the encoded document', () => {
		const doc = new Y.Doc();
		const id = createPost(doc, { authorId: alice, body: 'zebra-secret-words' }, { now: NOW });
		editPost(doc, id, 'something else');
		const text = new TextDecoder().decode(Y.encodeStateAsUpdate(doc));
		expect(text).not.toContain('zebra-secret-words');
		removePost(doc, id, { userId: alice, removal: 'author' });
		expect(new TextDecoder().decode(Y.encodeStateAsUpdate(doc))).not.toContain('something else');
	});

	it('refuses empty and over-long bodies before anything is written', () => {
		const doc = new Y.Doc();
		expect(describeBodyProblem('   ')).toMatch(/Write something/);
		expect(describeBodyProblem('x'.repeat(LIMITS.bodyChars + 3))).toMatch(/3 characters over/);
		expect(() => createPost(doc, { authorId: alice, body: '' })).toThrow(BoardInputError);
		expect(doc.getMap('posts').size).toBe(0);
	});

	it('reads only exactly well-formed posts', () => {
		const doc = new Y.Doc();
		const posts = doc.getMap('posts');
		const good = () =>
			new Y.Map<unknown>([
				['id', 'abcdefghijklmnopqrstuvwx'],
				['authorId', alice],
				['createdAt', NOW],
				['kind', 'post'],
				['body', 'hi'],
				['reactions', new Y.Map()]
			]);
		posts.set('good', good());
		expect(readPost(posts.get('good'))).not.toBeNull();
		const variants: [string, (m: Y.Map<unknown>) => void][] = [
			['extra field', (m) => m.set('evil', 1)],
			['body not a string', (m) => m.set('body', 5)],
			['body as Y.Text', (m) => m.set('body', new Y.Text('hi'))],
			['missing author', (m) => m.delete('authorId')],
			['reactions not a map', (m) => m.set('reactions', {})],
			['someone else reacted with a bad key', (m) => (m.get('reactions') as Y.Map<unknown>).set('hug:x', NOW)],
			['time in seconds', (m) => m.set('createdAt', 1700000000)],
			['unknown kind', (m) => m.set('kind', 'broadcast')]
		];
		for (const [name, spoil] of variants) {
			const map = good();
			posts.set(name, map);
			spoil(map);
			expect(readPost(posts.get(name)), name).toBeNull();
		}
		expect(readPost('a string')).toBeNull();
	});
});
