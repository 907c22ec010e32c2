// The facts the policy hands on with an accepted change: a reply names its parent's author, a first
// "me too" names the post's author, a new round is a new round; nothing else says anything.
import { describe, expect, it } from 'vitest';
import { openRound } from './facilitation';
import { createPost, toggleReaction } from './posts';
import { NOW, TestServer, people } from './policy.fixtures';

function factsOf(result: ReturnType<TestServer['send']>) {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.facts;
}

describe('facts of an accepted change', () => {
	it('a reply names the author of the post it answers', () => {
		const server = new TestServer({ kind: 'group', groupId: 'g1' });
		let postId = '';
		server.accept('alice', (doc) => {
			postId = createPost(doc, { authorId: people.alice, body: 'What came up for me' }, { now: NOW });
		});
		let replyId = '';
		const update = server.change((doc) => {
			replyId = createPost(doc, { authorId: people.bob, body: 'Me as well', parentId: postId }, { now: NOW });
		});
		expect(factsOf(server.send(update, 'bob'))).toEqual([
			{ kind: 'reply', postId: replyId, parentId: postId, parentAuthorId: people.alice }
		]);
	});

	it('a "me too" names the post’s author once; taking it back and giving it again says nothing new', () => {
		const server = new TestServer({ kind: 'group', groupId: 'g1' });
		let postId = '';
		server.accept('alice', (doc) => {
			postId = createPost(doc, { authorId: people.alice, body: 'I felt alone in it' }, { now: NOW });
		});
		const first = server.change((doc) => toggleReaction(doc, postId, 'metoo', people.bob, { now: NOW }));
		expect(factsOf(server.send(first, 'bob'))).toEqual([{ kind: 'metoo', postId, postAuthorId: people.alice }]);
		const back = server.change((doc) => toggleReaction(doc, postId, 'metoo', people.bob, { now: NOW }));
		expect(factsOf(server.send(back, 'bob'))).toEqual([]);
		const again = server.change((doc) => toggleReaction(doc, postId, 'metoo', people.bob, { now: NOW }));
		expect(factsOf(server.send(again, 'bob'))).toEqual([]);
		// "Holding you" is not a "me too".
		const holding = server.change((doc) => toggleReaction(doc, postId, 'holding', people.fran, { now: NOW }));
		expect(factsOf(server.send(holding, 'fran'))).toEqual([]);
	});

	it('a new round is a fact; an answer to it is not', () => {
		const server = new TestServer({ kind: 'group', groupId: 'g1' });
		let roundId = '';
		const open = server.change((doc) => {
			roundId = openRound(doc, { openedBy: people.fran, prompt: 'How are you arriving?' }, NOW);
		});
		expect(factsOf(server.send(open, 'fran'))).toEqual([{ kind: 'round_opened', roundId }]);
		const post = server.change((doc) =>
			createPost(doc, { authorId: people.alice, body: 'A new thread' }, { now: NOW })
		);
		expect(factsOf(server.send(post, 'alice'))).toEqual([]);
	});
});
