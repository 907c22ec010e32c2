import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	answerRound,
	closeRound,
	openRound,
	setAlumniSettings,
	setMark,
	setSessionPhase,
	updateRound
} from './facilitation';
import { createBoardId } from './ids';
import { checkUpdate, prepareDocument } from './policy';
import { NOW, TestServer, craftItem, encodeStructs, itemIdOf, people } from './policy.fixtures';
import { createPost, editPost, getPost, removePost, toggleReaction } from './posts';
import { LIMITS } from './schema';

const groupId = createBoardId();
const { alice, bob, fran } = people;

function groupBoard() {
	return new TestServer({ kind: 'group', groupId });
}

function postMap(doc: Y.Doc, postId: string): Y.Map<unknown> {
	return doc.getMap('posts').get(postId) as Y.Map<unknown>;
}

/** A board with one post by Alice (and a reaction by Bob), accepted by the server. */
function boardWithAlicesPost() {
	const server = groupBoard();
	let postId = '';
	server.accept(
		'alice',
		(doc) => (postId = createPost(doc, { authorId: alice, body: 'I felt so alone this week.' }, { now: NOW }))
	);
	server.accept('bob', (doc) => toggleReaction(doc, postId, 'metoo', bob, { now: NOW + 1 }));
	return { server, postId };
}

function refused(result: { ok: boolean; reason?: string }, reason?: RegExp) {
	expect(result.ok).toBe(false);
	if (reason) expect((result as { reason: string }).reason).toMatch(reason);
}

describe('posts on the group board', () => {
	it('lets a member post as themselves, and reports the client id that wrote it', () => {
		const server = groupBoard();
		const client = server.client();
		const update = server.change(
			(doc) => createPost(doc, { authorId: alice, body: 'Arriving.' }, { now: NOW }),
			client
		);
		const result = server.send(update, 'alice');
		expect(result).toEqual({ ok: true, clients: [client.clientID], facts: [] });
	});

	it('refuses a post written in someone else’s name', () => {
		const server = groupBoard();
		const update = server.change((doc) => createPost(doc, { authorId: bob, body: 'Bob says hi' }, { now: NOW }));
		refused(server.check(update, 'alice'), /own name/);
		refused(server.check(update, 'fran'), /own name/);
	});

	it('lets the author edit their post, and nobody else', () => {
		const { server, postId } = boardWithAlicesPost();
		const edit = server.change((doc) => editPost(doc, postId, 'edited by alice', { now: NOW + 5 }));
		refused(server.check(edit, 'bob'), /Only the author/);
		refused(server.check(edit, 'fran'), /Only the author/);
		expect(server.send(edit, 'alice').ok).toBe(true);
		expect(getPost(server.doc, postId)).toMatchObject({ body: 'edited by alice', editedAt: NOW + 5 });
	});

	it('refuses a body replaced on someone else’s post by a stale, concurrent-looking client', () => {
		const { server, postId } = boardWithAlicesPost();
		// Two stale copies of the board from before Alice's edit; which concurrent write wins a key is
		// decided by client id, so one copy gets the largest id (wins) and one the smallest (loses).
		const [winner, loser] = [server.client(), server.client()];
		winner.clientID = 0xffffffff;
		loser.clientID = 1;
		server.accept('alice', (doc) => editPost(doc, postId, 'second thoughts', { now: NOW + 10 }));
		const winning = server.change((doc) => postMap(doc, postId).set('body', 'words in her mouth'), winner);
		refused(server.check(winning, 'bob'), /Only the author/);
		// The losing write is deleted on arrival: it changes nothing anyone can see, so it may pass.
		server.send(
			server.change((doc) => postMap(doc, postId).set('body', 'words in her mouth'), loser),
			'bob'
		);
		expect(getPost(server.doc, postId)).toMatchObject({ body: 'second thoughts' });
	});

	it('refuses a hand-made body item with no origin, which wins the key by client id', () => {
		const { server, postId } = boardWithAlicesPost();
		const parent = itemIdOf(postMap(server.doc, postId) as unknown as Y.AbstractType<unknown>);
		const forged = (client: number) =>
			encodeStructs([
				craftItem({ client, clock: 0, parent, parentSub: 'body', content: new Y.ContentAny(['forged']) })
			]);
		// Yjs orders concurrent writes to a key by client id: the largest possible id sorts last and wins.
		refused(server.check(forged(0xffffffff), 'bob'), /Only the author/);
		// With the smallest id it loses to the current value: it is deleted on arrival and changes nothing.
		expect(server.send(forged(0), 'bob').ok).toBe(true);
		expect(getPost(server.doc, postId)).toMatchObject({ body: 'I felt so alone this week.' });
	});

	it('refuses writing the same forged body and deleting it in one update (an overwrite that hides itself)', () => {
		const { server, postId } = boardWithAlicesPost();
		const update = server.change((doc) =>
			doc.transact(() => {
				postMap(doc, postId).set('body', 'x');
				postMap(doc, postId).delete('body');
			})
		);
		refused(server.check(update, 'bob'), /Only the author/);
	});

	it('keeps the fixed fields of a post fixed, even for its author', () => {
		const { server, postId } = boardWithAlicesPost();
		for (const [field, value] of [
			['authorId', bob],
			['createdAt', NOW - 1000],
			['kind', 'insight'],
			['parentId', createBoardId()]
		] as const) {
			const update = server.change((doc) => postMap(doc, postId).set(field, value));
			refused(server.check(update, 'alice'), /Only the words/);
		}
		const dropKind = server.change((doc) => postMap(doc, postId).delete('kind'));
		refused(server.check(dropKind, 'alice'));
		const dropReactions = server.change((doc) => postMap(doc, postId).delete('reactions'));
		refused(server.check(dropReactions, 'alice'));
		const newReactions = server.change((doc) => postMap(doc, postId).set('reactions', new Y.Map()));
		refused(server.check(newReactions, 'alice'));
	});

	it('refuses changing the author and acting as the new author in the same update', () => {
		const { server, postId } = boardWithAlicesPost();
		const update = server.change((doc) =>
			doc.transact(() => {
				postMap(doc, postId).set('authorId', bob);
				postMap(doc, postId).set('body', 'mine now');
			})
		);
		refused(server.check(update, 'bob'));
	});

	it('lets the author and a facilitator remove a post, and no other member', () => {
		const { server, postId } = boardWithAlicesPost();
		const removal = server.change((doc) => removePost(doc, postId, { userId: bob, removal: 'author' }));
		refused(server.check(removal, 'bob'), /author or a facilitator/);
		expect(server.check(removal, 'alice').ok).toBe(true);
		expect(server.check(removal, 'fran').ok).toBe(true);
	});

	it('refuses a crafted update that is nothing but a delete set naming someone else’s post', () => {
		const { server, postId } = boardWithAlicesPost();
		const item = postMap(server.doc, postId)._item!;
		const update = encodeStructs([], [{ client: item.id.client, clock: item.id.clock, len: 1 }]);
		refused(server.check(update, 'bob'), /author or a facilitator/);
		expect(server.send(update, 'alice').ok).toBe(true);
		expect(server.doc.getMap('posts').has(postId)).toBe(false);
	});

	it('refuses replacing someone else’s post with a new one under the same id', () => {
		const { server, postId } = boardWithAlicesPost();
		const update = server.change((doc) =>
			doc.getMap('posts').set(
				postId,
				new Y.Map<unknown>([
					['id', postId],
					['authorId', bob],
					['createdAt', NOW],
					['kind', 'post'],
					['body', 'replaced'],
					['reactions', new Y.Map()]
				])
			)
		);
		refused(server.check(update, 'bob'), /author or a facilitator/);
	});

	it('refuses over-long bodies, empty bodies and bodies of the wrong type', () => {
		const { server, postId } = boardWithAlicesPost();
		const tooLong = 'x'.repeat(LIMITS.bodyChars + 1);
		refused(
			server.checkChange('alice', (doc) => postMap(doc, postId).set('body', tooLong)),
			/well-formed/
		);
		refused(
			server.checkChange('alice', (doc) => postMap(doc, postId).set('body', '   ')),
			/well-formed/
		);
		refused(
			server.checkChange('alice', (doc) => postMap(doc, postId).set('body', 42)),
			/well-formed/
		);
		refused(server.checkChange('alice', (doc) => postMap(doc, postId).set('body', new Y.Text('rich'))));
		refused(server.checkChange('alice', (doc) => postMap(doc, postId).set('body', new Y.Map())));
		const newLong = server.change((doc) => {
			const id = createBoardId();
			doc.getMap('posts').set(
				id,
				new Y.Map<unknown>([
					['id', id],
					['authorId', alice],
					['createdAt', NOW],
					['kind', 'post'],
					['body', tooLong],
					['reactions', new Y.Map()]
				])
			);
		});
		refused(server.check(newLong, 'alice'), /well-formed/);
	});

	it('refuses posts with extra fields, malformed ids, future dates or kinds that belong elsewhere', () => {
		const server = groupBoard();
		const base = (id: string) =>
			new Map<string, unknown>([
				['id', id],
				['authorId', alice],
				['createdAt', NOW],
				['kind', 'post'],
				['body', 'hello'],
				['reactions', new Y.Map()]
			]);
		const attempt = (key: string, spoil: (fields: Map<string, unknown>) => void) => {
			const fields = base(key);
			spoil(fields);
			return server.checkChange('alice', (doc) => doc.getMap('posts').set(key, new Y.Map([...fields])));
		};
		const id = createBoardId();
		expect(attempt(id, () => {}).ok).toBe(true);
		refused(
			attempt(id, (f) => f.set('evil', true)),
			/well-formed/
		);
		refused(
			attempt('NOT-AN-ID', () => {}),
			/Malformed/
		);
		refused(
			attempt(id, (f) => f.set('id', createBoardId())),
			/well-formed/
		);
		refused(
			attempt(id, (f) => f.set('createdAt', NOW + LIMITS.clockSkewMs + 1)),
			/future/
		);
		refused(
			attempt(id, (f) => f.set('kind', 'urgent')),
			/does not belong/
		);
		refused(
			attempt(id, (f) => f.set('kind', 'note')),
			/does not belong/
		);
		refused(
			attempt(id, (f) => f.delete('reactions')),
			/well-formed/
		);
		refused(
			attempt(id, (f) => f.set('sessionId', '../../etc')),
			/well-formed/
		);
		refused(
			attempt(id, (f) => f.set('reactions', new Y.Map<unknown>([[`metoo:${bob}`, NOW]]))),
			/own name/
		);
	});

	it('accepts an insight tied to a session, with its prompt', () => {
		const server = groupBoard();
		const sessionId = createBoardId();
		const update = server.change((doc) =>
			createPost(
				doc,
				{
					authorId: alice,
					body: 'The intention showed up as warmth.',
					kind: 'insight',
					sessionId,
					prompt: 'How did your intention show up?'
				},
				{ now: NOW }
			)
		);
		expect(server.check(update, 'alice').ok).toBe(true);
	});
});

describe('reactions', () => {
	it('lets each person add and take back only their own reaction', () => {
		const { server, postId } = boardWithAlicesPost();
		expect(
			server.send(
				server.change((doc) => toggleReaction(doc, postId, 'holding', fran, { now: NOW })),
				'fran'
			).ok
		).toBe(true);
		const forBob = server.change((doc) => toggleReaction(doc, postId, 'holding', bob, { now: NOW }));
		refused(server.check(forBob, 'alice'), /own name/);
		// Bob's "me too" is there already: taking it back as Alice is someone else's reaction.
		const takeBack = server.change((doc) => toggleReaction(doc, postId, 'metoo', bob));
		refused(server.check(takeBack, 'alice'), /own reactions/);
		expect(server.check(takeBack, 'bob').ok).toBe(true);
	});

	it('refuses malformed reaction keys and values', () => {
		const { server, postId } = boardWithAlicesPost();
		const reactions = (doc: Y.Doc) => postMap(doc, postId).get('reactions') as Y.Map<unknown>;
		refused(
			server.checkChange('alice', (doc) => reactions(doc).set(`hug:${alice}`, NOW)),
			/Malformed/
		);
		refused(
			server.checkChange('alice', (doc) => reactions(doc).set(`metoo:${alice}:x`, NOW)),
			/Malformed/
		);
		refused(
			server.checkChange('alice', (doc) => reactions(doc).set(`metoo:${alice}`, 'yes')),
			/well-formed/
		);
		refused(server.checkChange('alice', (doc) => reactions(doc).set(`metoo:${alice}`, new Y.Map())));
	});

	it('judges an item by where it lands, even when it finds its place through another item’s origin', () => {
		const { server, postId } = boardWithAlicesPost();
		// No parent in the encoding: Yjs takes parent and key from the origin, Bob's own "me too".
		const bobsReaction = (postMap(server.doc, postId).get('reactions') as Y.Map<unknown>)._map.get(`metoo:${bob}`)!;
		const viaOrigin = encodeStructs([
			craftItem({
				client: 0xffffffff,
				clock: 0,
				parent: '',
				parentSub: null,
				origin: bobsReaction.lastId,
				content: new Y.ContentAny([NOW])
			})
		]);
		refused(server.check(viaOrigin, 'alice'), /own name/);
		expect(server.check(viaOrigin, 'bob').ok).toBe(true);
		const body = postMap(server.doc, postId)._map.get('body')!;
		const bodyViaOrigin = encodeStructs([
			craftItem({
				client: 0xffffffff,
				clock: 0,
				parent: '',
				parentSub: null,
				origin: body.lastId,
				content: new Y.ContentAny(['forged'])
			})
		]);
		refused(server.check(bodyViaOrigin, 'bob'), /Only the author/);
	});

	it('lets a reaction race a removal harmlessly, in either order', () => {
		const { server, postId } = boardWithAlicesPost();
		const reaction = server.change((doc) => toggleReaction(doc, postId, 'holding', bob, { now: NOW }));
		const removal = server.change((doc) => removePost(doc, postId, { userId: alice, removal: 'author' }));
		expect(server.send(removal, 'alice').ok).toBe(true);
		// The reaction lands inside a deleted post: nothing visible changes, so nothing to refuse.
		expect(server.send(reaction, 'bob').ok).toBe(true);
		expect(server.doc.getMap('posts').has(postId)).toBe(false);
	});
});

describe('replies and removal', () => {
	it('accepts a reply to a post, refuses replies to missing posts and to replies', () => {
		const { server, postId } = boardWithAlicesPost();
		let replyId = '';
		server.accept(
			'bob',
			(doc) => (replyId = createPost(doc, { authorId: bob, body: 'Me too.', parentId: postId }, { now: NOW }))
		);
		const toMissing = server.change((doc) =>
			createPost(doc, { authorId: bob, body: 'hello?', parentId: createBoardId() }, { now: NOW })
		);
		refused(server.check(toMissing, 'bob'), /no longer here/);
		const nested = server.change((doc) =>
			createPost(doc, { authorId: alice, body: 'thanks', parentId: replyId }, { now: NOW })
		);
		refused(server.check(nested, 'alice'), /original post/);
	});

	it('refuses a reply to a post deleted while it was being written', () => {
		const { server, postId } = boardWithAlicesPost();
		const reply = server.change((doc) =>
			createPost(doc, { authorId: bob, body: 'holding you', parentId: postId }, { now: NOW })
		);
		server.accept('alice', (doc) => removePost(doc, postId, { userId: alice, removal: 'author' }));
		refused(server.send(reply, 'bob'), /no longer here/);
	});

	it('lets the author leave a tombstone where others replied, and a facilitator redact', () => {
		const { server, postId } = boardWithAlicesPost();
		server.accept('bob', (doc) => createPost(doc, { authorId: bob, body: 'Me too.', parentId: postId }, { now: NOW }));
		const byAuthor = server.change((doc) =>
			removePost(doc, postId, { userId: alice, removal: 'author' }, { now: NOW + 9 })
		);
		expect(server.check(byAuthor, 'alice').ok).toBe(true);
		refused(server.check(byAuthor, 'bob'));
		const asFacilitatorByMember = server.change((doc) =>
			removePost(doc, postId, { userId: bob, removal: 'facilitator' }, { now: NOW + 9 })
		);
		refused(server.check(asFacilitatorByMember, 'bob'));
		const byFacilitator = server.change((doc) =>
			removePost(doc, postId, { userId: fran, removal: 'facilitator' }, { now: NOW + 9 })
		);
		expect(server.send(byFacilitator, 'fran').ok).toBe(true);
		expect(getPost(server.doc, postId)).toMatchObject({ state: 'removed', removedBy: fran, removal: 'facilitator' });
		expect(new TextDecoder().decode(Y.encodeStateAsUpdate(server.doc))).not.toContain('I felt so alone');
	});

	it('refuses a tombstone that moves the post, or that replaces nothing', () => {
		const { server, postId } = boardWithAlicesPost();
		const tombstone = (id: string, extra: [string, unknown][] = []) =>
			new Y.Map<unknown>([
				['id', id],
				['createdAt', NOW],
				['kind', 'post'],
				['removedAt', NOW + 1],
				['removedBy', fran],
				['removal', 'facilitator'],
				...extra
			]);
		const moved = server.change((doc) =>
			doc.getMap('posts').set(postId, tombstone(postId, [['parentId', createBoardId()]]))
		);
		refused(server.check(moved, 'fran'), /place in the thread/);
		const fromNothing = server.change((doc) => {
			const id = createBoardId();
			doc.getMap('posts').set(id, tombstone(id));
		});
		refused(server.check(fromNothing, 'fran'), /Only a post/);
	});

	it('uses a post id once: nothing new takes the place of a removed or hidden post, and only the server hides', () => {
		const { server, postId } = boardWithAlicesPost();
		server.accept('bob', (doc) =>
			createPost(doc, { authorId: bob, body: 'Holding you.', parentId: postId }, { now: NOW })
		);
		server.accept('alice', (doc) => removePost(doc, postId, { userId: alice, removal: 'author' }, { now: NOW + 5 }));
		const again = (authorId: string) =>
			server.change((doc) =>
				doc.getMap('posts').set(
					postId,
					new Y.Map<unknown>([
						['id', postId],
						['authorId', authorId],
						['createdAt', NOW + 6],
						['kind', 'post'],
						['body', 'Back again, under the old id.'],
						['reactions', new Y.Map()]
					])
				)
			);
		refused(server.check(again(alice), 'alice'));
		refused(server.check(again(fran), 'fran'), /already taken/);

		// A facilitator's client cannot write a "hidden" placeholder: hiding keeps a copy in the staff space first.
		let other = '';
		server.accept(
			'alice',
			(doc) => (other = createPost(doc, { authorId: alice, body: 'Something else.' }, { now: NOW + 7 }))
		);
		// A placeholder written from a client, as `by`, of the kind only Hearth's server writes.
		const placeholder = (by: string, removal: 'hidden' | 'departed') =>
			server.change((doc) =>
				doc.getMap('posts').set(
					other,
					new Y.Map<unknown>([
						['id', other],
						['createdAt', NOW + 7],
						['kind', 'post'],
						['removedAt', NOW + 8],
						['removedBy', by],
						['removal', removal]
					])
				)
			);
		refused(server.check(placeholder(fran, 'hidden'), 'fran'), /through moderation/);

		// Nor a "departed" one: only account deletion writes it, once the person's words are gone everywhere.
		refused(server.check(placeholder(fran, 'departed'), 'fran'), /account deletion/);
		refused(server.check(placeholder(alice, 'departed'), 'alice'), /account deletion/);
	});

	it('never takes an id back: not after the post was deleted outright, nor after it moved to an archive', () => {
		const server = groupBoard();
		let postId = '';
		server.accept('alice', (doc) => (postId = createPost(doc, { authorId: alice, body: 'Soon gone.' }, { now: NOW })));
		// No replies: deleting it removes the entry altogether (as archiving does, on the server).
		server.accept('alice', (doc) => removePost(doc, postId, { userId: alice, removal: 'author' }, { now: NOW + 1 }));
		expect(getPost(server.doc, postId)).toBeNull();
		const again = server.change((doc) =>
			doc.getMap('posts').set(
				postId,
				new Y.Map<unknown>([
					['id', postId],
					['authorId', alice],
					['createdAt', NOW + 2],
					['kind', 'post'],
					['body', 'Back again.'],
					['reactions', new Y.Map()]
				])
			)
		);
		refused(server.check(again, 'alice'), /already taken/);
	});

	it('closes a locked thread to members’ replies but not to facilitators', () => {
		const { server, postId } = boardWithAlicesPost();
		refused(
			server.checkChange('bob', (doc) => setMark(doc, 'locks', postId, bob, NOW)),
			/facilitator/
		);
		server.accept('fran', (doc) => setMark(doc, 'locks', postId, fran, NOW));
		const memberReply = server.change((doc) =>
			createPost(doc, { authorId: bob, body: 'one more', parentId: postId }, { now: NOW })
		);
		refused(server.check(memberReply, 'bob'), /closed to new replies/);
		const facilitatorReply = server.change((doc) =>
			createPost(doc, { authorId: fran, body: 'Closing here.', parentId: postId }, { now: NOW })
		);
		expect(server.check(facilitatorReply, 'fran').ok).toBe(true);
	});
});

describe('facilitator state', () => {
	it('lets only facilitators open, spotlight, time and close rounds', () => {
		const server = groupBoard();
		const open = (by: string) =>
			server.change((doc) =>
				openRound(doc, { openedBy: by, prompt: 'How are you arriving?', scale: { min: 1, max: 10 } }, NOW)
			);
		refused(server.check(open(bob), 'bob'), /facilitator/);
		let roundId = '';
		server.accept(
			'fran',
			(doc) =>
				(roundId = openRound(doc, { openedBy: fran, prompt: 'How are you arriving?', scale: { min: 1, max: 10 } }, NOW))
		);
		refused(
			server.checkChange('bob', (doc) => updateRound(doc, roundId, { spotlight: bob })),
			/facilitator/
		);
		refused(
			server.checkChange('alice', (doc) => updateRound(doc, roundId, { timer: { startedAt: NOW, seconds: 120 } })),
			/facilitator/
		);
		refused(
			server.checkChange('alice', (doc) => updateRound(doc, roundId, { closedAt: NOW })),
			/facilitator/
		);
		refused(
			server.checkChange('alice', (doc) => doc.getMap('rounds').delete(roundId)),
			/facilitator/
		);
		expect(
			server.checkChange('fran', (doc) =>
				updateRound(doc, roundId, { spotlight: bob, timer: { startedAt: NOW, seconds: 120 } })
			).ok
		).toBe(true);
	});

	it('lets each member answer or pass for themselves only, while the round is open', () => {
		const server = groupBoard();
		let roundId = '';
		server.accept(
			'fran',
			(doc) => (roundId = openRound(doc, { openedBy: fran, prompt: 'Arriving?', scale: { min: 1, max: 10 } }, NOW))
		);
		server.accept('alice', (doc) => answerRound(doc, roundId, alice, { at: NOW, scale: 6, feelings: ['tender'] }));
		server.accept('bob', (doc) => answerRound(doc, roundId, bob, { at: NOW, passed: true }));
		refused(
			server.checkChange('alice', (doc) => answerRound(doc, roundId, bob, { at: NOW, body: 'fine' })),
			/own name/
		);
		refused(
			server.checkChange('alice', (doc) => answerRound(doc, roundId, alice, { at: NOW, scale: 11 })),
			/well-formed round/
		);
		refused(
			server.checkChange('alice', (doc) =>
				answerRound(doc, roundId, alice, { at: NOW, passed: true, body: 'x' } as never)
			)
		);
		refused(
			server.checkChange('fran', (doc) =>
				(doc.getMap('rounds').get(roundId) as Y.Map<unknown>).set('answers', new Y.Map())
			),
			/cannot be replaced/
		);
		// Taking back your own answer is fine; someone else's is not.
		expect(
			server.checkChange('alice', (doc) =>
				((doc.getMap('rounds').get(roundId) as Y.Map<unknown>).get('answers') as Y.Map<unknown>).delete(alice)
			).ok
		).toBe(true);
		refused(
			server.checkChange('bob', (doc) =>
				((doc.getMap('rounds').get(roundId) as Y.Map<unknown>).get('answers') as Y.Map<unknown>).delete(alice)
			),
			/facilitator/
		);
		server.accept('fran', (doc) => updateRound(doc, roundId, { closedAt: NOW + 60_000 }));
		refused(
			server.checkChange('alice', (doc) => answerRound(doc, roundId, alice, { at: NOW, body: 'late' })),
			/closed/
		);
	});

	it('lets only facilitators set the session phase, and quiet mode pauses members’ posts', () => {
		const { server, postId } = boardWithAlicesPost();
		const sessionId = createBoardId();
		refused(
			server.checkChange('alice', (doc) => setSessionPhase(doc, { sessionId, phase: 'quiet', by: alice }, NOW)),
			/facilitator/
		);
		refused(
			server.checkChange('fran', (doc) => setSessionPhase(doc, { sessionId, phase: 'quiet', by: alice }, NOW)),
			/signed/
		);
		refused(
			server.checkChange('fran', (doc) => doc.getMap('facilitation').set('mood', 'calm')),
			/schema/
		);
		server.accept('fran', (doc) => setSessionPhase(doc, { sessionId, phase: 'quiet', by: fran }, NOW));
		refused(
			server.checkChange('alice', (doc) => createPost(doc, { authorId: alice, body: 'wow' }, { now: NOW })),
			/quiet/
		);
		refused(
			server.checkChange('alice', (doc) =>
				createPost(doc, { authorId: alice, body: 'wow', parentId: postId }, { now: NOW })
			),
			/quiet/
		);
		expect(
			server.checkChange('fran', (doc) => createPost(doc, { authorId: fran, body: 'Breathe.' }, { now: NOW })).ok
		).toBe(true);
		server.accept('fran', (doc) => setSessionPhase(doc, { sessionId, phase: 'integration', by: fran }, NOW + 1));
		expect(
			server.checkChange('alice', (doc) => createPost(doc, { authorId: alice, body: 'back' }, { now: NOW })).ok
		).toBe(true);
	});

	it('lets members open and run alumni rounds only when the group says so, and only their own', () => {
		const server = groupBoard();
		const openAlumni = (by: string) =>
			server.change((doc) => openRound(doc, { openedBy: by, prompt: 'How has the month been?', alumni: true }, NOW));
		refused(server.check(openAlumni(alice), 'alice'), /opened by the facilitators/);
		refused(
			server.checkChange('alice', (doc) => setAlumniSettings(doc, { roundsBy: 'members', by: alice }, NOW)),
			/facilitator/
		);
		refused(
			server.checkChange('fran', (doc) =>
				doc.getMap('facilitation').set('alumni', { roundsBy: 'everyone', by: fran, at: NOW })
			),
			/well-formed/
		);
		server.accept('fran', (doc) => setAlumniSettings(doc, { roundsBy: 'members', by: fran }, NOW));

		refused(server.check(openAlumni(bob), 'alice'), /whoever opened/);
		refused(
			server.checkChange('alice', (doc) => openRound(doc, { openedBy: alice, prompt: 'Not alumni' }, NOW)),
			/facilitator/
		);
		let roundId = '';
		server.accept(
			'alice',
			(doc) => (roundId = openRound(doc, { openedBy: alice, prompt: 'How has the month been?', alumni: true }, NOW))
		);
		server.accept('bob', (doc) => answerRound(doc, roundId, bob, { at: NOW, body: 'Steady.' }));
		refused(
			server.checkChange('bob', (doc) => updateRound(doc, roundId, { spotlight: bob })),
			/whoever opened/
		);
		refused(
			server.checkChange('alice', (doc) =>
				(doc.getMap('rounds').get(roundId) as Y.Map<unknown>).set('prompt', 'changed')
			),
			/facilitator/
		);
		refused(
			server.checkChange('alice', (doc) => doc.getMap('rounds').delete(roundId)),
			/facilitator/
		);
		server.accept('alice', (doc) => updateRound(doc, roundId, { spotlight: bob }));
		server.accept('alice', (doc) => closeRound(doc, roundId, NOW + 1));

		server.accept('fran', (doc) => setAlumniSettings(doc, { roundsBy: 'facilitators', by: fran }, NOW + 2));
		refused(server.check(openAlumni(alice), 'alice'), /opened by the facilitators/);
	});

	it('refuses an answer to a closed round and a member closing a facilitator’s round, changing nothing', () => {
		const server = groupBoard();
		let roundId = '';
		server.accept('fran', (doc) => (roundId = openRound(doc, { openedBy: fran, prompt: 'Arriving?' }, NOW)));
		refused(
			server.checkChange('alice', (doc) => closeRound(doc, roundId, NOW)),
			/facilitator/
		);
		server.accept('fran', (doc) => closeRound(doc, roundId, NOW + 1));
		refused(
			server.checkChange('alice', (doc) => answerRound(doc, roundId, alice, { at: NOW + 2, passed: true })),
			/closed/
		);
		expect((server.doc.getMap('rounds').get(roundId) as Y.Map<unknown>).get('answers')).toBeInstanceOf(Y.Map);
		expect(((server.doc.getMap('rounds').get(roundId) as Y.Map<unknown>).get('answers') as Y.Map<unknown>).size).toBe(
			0
		);
	});

	it('lets only facilitators pin, signed by themselves', () => {
		const { server, postId } = boardWithAlicesPost();
		refused(
			server.checkChange('alice', (doc) => setMark(doc, 'pins', postId, alice, NOW)),
			/facilitator/
		);
		refused(
			server.checkChange('fran', (doc) => setMark(doc, 'pins', postId, alice, NOW)),
			/signed/
		);
		refused(
			server.checkChange('fran', (doc) => doc.getMap('pins').set(postId, { by: fran, at: NOW, extra: 1 })),
			/well-formed/
		);
		refused(
			server.checkChange('fran', (doc) => doc.getMap('pins').set('nope', { by: fran, at: NOW })),
			/schema/
		);
		server.accept('fran', (doc) => setMark(doc, 'pins', postId, fran, NOW));
		refused(
			server.checkChange('alice', (doc) => setMark(doc, 'pins', postId, null)),
			/facilitator/
		);
	});
});

describe('outside the schema', () => {
	it('refuses unknown top-level types of any kind', () => {
		const server = groupBoard();
		refused(
			server.checkChange('fran', (doc) => doc.getMap('evil').set('x', 1)),
			/top-level/
		);
		refused(
			server.checkChange('fran', (doc) => doc.getText('evil').insert(0, 'x')),
			/top-level/
		);
		refused(
			server.checkChange('fran', (doc) => doc.getMap('notes').set('x', 1)),
			/top-level/
		);
		refused(
			server.checkChange('fran', (doc) => doc.getMap('__proto__').set('x', 1)),
			/top-level/
		);
	});

	it('refuses sequence content inside the maps', () => {
		const server = groupBoard();
		const asArray = new Y.Doc();
		asArray.getArray('posts').push(['sneaky']);
		refused(server.check(Y.encodeStateAsUpdate(asArray), 'alice'), /not a map entry/);
		const asText = new Y.Doc();
		asText.getText('pins').insert(0, 'x');
		refused(server.check(Y.encodeStateAsUpdate(asText), 'fran'), /schema/);
	});

	it('refuses content types other than one JSON value or a map', () => {
		const { server, postId } = boardWithAlicesPost();
		const parent = itemIdOf(postMap(server.doc, postId) as unknown as Y.AbstractType<unknown>);
		const contents = [
			new Y.ContentString('x'),
			new Y.ContentAny(['a', 'b']),
			new Y.ContentBinary(new Uint8Array([1])),
			new Y.ContentJSON(['x']),
			new Y.ContentEmbed({ evil: true }),
			new Y.ContentType(new Y.Text()),
			new Y.ContentType(new Y.XmlFragment())
		];
		for (const content of contents) {
			const item = craftItem({ client: 0xffffffff, clock: 0, parent, parentSub: 'body', content });
			refused(server.check(encodeStructs([item]), 'alice'), /content type/);
		}
	});

	it('refuses a read-only connection any change, but not the empty sync every client sends', () => {
		const { server, postId } = boardWithAlicesPost();
		const readOnly = { canWrite: false };
		refused(
			server.check(
				server.change((doc) => toggleReaction(doc, postId, 'metoo', alice)),
				'alice',
				readOnly
			),
			/read-only/
		);
		refused(
			server.check(
				server.change((doc) => removePost(doc, postId, { userId: alice, removal: 'author' })),
				'alice',
				readOnly
			),
			/read-only/
		);
		expect(
			server.check(
				server.change(() => {}),
				'alice',
				readOnly
			).ok
		).toBe(true);
		// Re-sending what the server already has changes nothing either.
		expect(server.check(Y.encodeStateAsUpdate(server.doc), 'alice', readOnly).ok).toBe(true);
	});

	it('refuses updates that would leave structs or deletions pending', () => {
		const server = groupBoard();
		const client = server.client();
		const updates: Uint8Array[] = [];
		client.on('update', (update: Uint8Array) => updates.push(update));
		createPost(client, { authorId: alice, body: 'one' }, { now: NOW });
		createPost(client, { authorId: alice, body: 'two' }, { now: NOW });
		refused(server.check(updates[1], 'alice'), /does not have/);
		const ghost = encodeStructs([], [{ client: 987654, clock: 3, len: 2 }]);
		refused(server.check(ghost, 'alice'), /does not have/);
	});

	it('refuses garbage and truncated bytes without throwing', () => {
		const { server } = boardWithAlicesPost();
		const good = server.change((doc) => createPost(doc, { authorId: alice, body: 'whole' }, { now: NOW }));
		for (const bytes of [
			new Uint8Array([255, 255, 255, 255, 1]),
			good.slice(0, good.length - 7),
			new Uint8Array([1, 2, 3])
		]) {
			const result = server.check(bytes, 'alice');
			expect(result.ok).toBe(false);
		}
	});

	it('leaves the shadow dirty after a refusal: the caller rebuilds it', () => {
		const { server, postId } = boardWithAlicesPost();
		const shadow = server.client();
		const forged = server.change((doc) => postMap(doc, postId).set('body', 'forged'));
		expect(checkUpdate(shadow, forged, server.context('bob')).ok).toBe(false);
		expect(getPost(shadow, postId)).toMatchObject({ body: 'forged' });
		expect(getPost(server.doc, postId)).toMatchObject({ body: 'I felt so alone this week.' });
	});
});

describe('care, journal and staff documents', () => {
	it('care: the member it belongs to and facilitators write; other members cannot', () => {
		const server = new TestServer({ kind: 'care', groupId, userId: alice });
		const urgent = (by: string) =>
			server.change((doc) =>
				createPost(doc, { authorId: by, body: 'Could someone call me?', kind: 'urgent' }, { now: NOW })
			);
		expect(server.check(urgent(alice), 'alice').ok).toBe(true);
		refused(server.check(urgent(bob), 'bob'), /cannot write/);
		expect(
			server.checkChange('fran', (doc) => createPost(doc, { authorId: fran, body: 'Calling you at 5.' }, { now: NOW }))
				.ok
		).toBe(true);
		const notice = server.change((doc) =>
			doc.getMap('notices').set(createBoardId(), { kind: 'hidden', postId: createBoardId(), by: fran, at: NOW })
		);
		expect(server.check(notice, 'fran').ok).toBe(true);
		refused(
			server.checkChange('alice', (doc) =>
				doc.getMap('notices').set(createBoardId(), { kind: 'hidden', postId: createBoardId(), by: alice, at: NOW })
			),
			/facilitator/
		);
		refused(
			server.checkChange('fran', (doc) => doc.getMap('rounds').set('x', 1)),
			/top-level/
		);
	});

	it('journal: only its owner writes, notes and intentions included', () => {
		const server = new TestServer({ kind: 'journal', userId: alice });
		expect(
			server.checkChange('alice', (doc) =>
				createPost(doc, { authorId: alice, body: 'private note', kind: 'note' }, { now: NOW })
			).ok
		).toBe(true);
		refused(
			server.checkChange('fran', (doc) =>
				createPost(doc, { authorId: fran, body: 'hello', kind: 'note' }, { now: NOW })
			),
			/cannot write/
		);
		refused(
			server.checkChange('alice', (doc) =>
				createPost(doc, { authorId: alice, body: 'x', kind: 'urgent' }, { now: NOW })
			),
			/does not belong/
		);
	});

	it('staff: facilitators only; flags and hidden posts must be well formed', () => {
		const server = new TestServer({ kind: 'staff', groupId });
		refused(
			server.checkChange('alice', (doc) =>
				createPost(doc, { authorId: alice, body: 'peek', kind: 'note' }, { root: 'notes', now: NOW })
			),
			/cannot write/
		);
		expect(
			server.checkChange('fran', (doc) =>
				createPost(doc, { authorId: fran, body: 'Session notes', kind: 'note' }, { root: 'notes', now: NOW })
			).ok
		).toBe(true);
		const flagId = createBoardId();
		const flag = {
			id: flagId,
			postId: createBoardId(),
			document: `group:${groupId}`,
			flaggedBy: bob,
			at: NOW,
			status: 'open'
		};
		expect(server.checkChange('fran', (doc) => doc.getMap('flags').set(flagId, flag)).ok).toBe(true);
		refused(
			server.checkChange('fran', (doc) => doc.getMap('flags').set(createBoardId(), flag)),
			/well-formed/
		);
		const hidden = {
			post: { id: createBoardId(), authorId: bob, createdAt: NOW, kind: 'post', body: 'held for review' },
			from: `group:${groupId}`,
			by: fran,
			at: NOW,
			reason: 'Names a person outside the group'
		};
		expect(server.checkChange('fran', (doc) => doc.getMap('hidden').set(hidden.post.id, hidden)).ok).toBe(true);
		refused(
			server.checkChange('fran', (doc) =>
				doc.getMap('hidden').set(hidden.post.id, { ...hidden, post: { ...hidden.post, body: 5 } })
			),
			/well-formed/
		);
	});
});

describe('many people at once', () => {
	// 300 random steps, each re-encoding the whole document: ~1 s on a quiet machine, many on a loaded one.
	it(
		'accepts every change honest clients make, in any interleaving, and all copies converge',
		{ timeout: 60_000 },
		() => {
			const server = groupBoard();
			const names = ['alice', 'bob', 'fran'] as const;
			const clients = names.map(() => server.client());
			const queues = names.map(() => [] as Uint8Array[]);
			clients.forEach((doc, i) =>
				doc.on('update', (update: Uint8Array, origin: unknown) => origin !== 'server' && queues[i].push(update))
			);
			let seed = 7;
			const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
			for (let step = 0; step < 300; step++) {
				const i = Math.floor(random() * names.length);
				const doc = clients[i];
				const me = people[names[i]];
				const posts = [...doc.getMap('posts').entries()].map(([id, value]) => ({ id, post: getPost(doc, id), value }));
				const mine = posts.filter((p) => p.post?.state === 'live' && p.post.authorId === me);
				const live = posts.filter((p) => p.post?.state === 'live' && !p.post.parentId);
				const roll = random();
				if (roll < 0.3 || live.length === 0) createPost(doc, { authorId: me, body: `post ${step}` }, { now: NOW });
				else if (roll < 0.5)
					toggleReaction(doc, live[Math.floor(random() * live.length)].id, random() < 0.5 ? 'metoo' : 'holding', me, {
						now: NOW
					});
				else if (roll < 0.65 && mine.length) editPost(doc, mine[0].id, `edit ${step}`, { now: NOW + step });
				else if (roll < 0.72 && mine.length)
					removePost(doc, mine[mine.length - 1].id, { userId: me, removal: 'author' }, { now: NOW });
				else if (roll < 0.85)
					createPost(
						doc,
						{ authorId: me, body: `reply ${step}`, parentId: live[Math.floor(random() * live.length)].id },
						{ now: NOW }
					);
				// Sometimes a client talks to the server: sends what it has, then takes everything back.
				if (random() < 0.4) {
					for (const update of queues[i].splice(0)) {
						const result = server.send(update, names[i]);
						// Honest clients are only refused for replies to a post removed meanwhile.
						if (!result.ok) {
							expect(result.reason).toMatch(/no longer here/);
							clients[i] = server.client();
							clients[i].on('update', (u: Uint8Array, origin: unknown) => origin !== 'server' && queues[i].push(u));
							break;
						}
					}
					Y.applyUpdate(clients[i], Y.encodeStateAsUpdate(server.doc), 'server');
				}
			}
			for (let i = 0; i < names.length; i++) {
				for (const update of queues[i].splice(0)) {
					const result = server.send(update, names[i]);
					if (!result.ok) expect(result.reason).toMatch(/no longer here/);
				}
			}
			const fresh = server.client();
			expect(fresh.getMap('posts').toJSON()).toEqual(server.doc.getMap('posts').toJSON());
			expect(server.doc.getMap('posts').size).toBeGreaterThan(5);
			prepareDocument(fresh, 'group');
		}
	);
});

describe('an archive of a finished session', () => {
	/** An archive holding one thread by Alice, as the server moved it there. */
	function archiveWithAlicesThread() {
		const server = new TestServer({ kind: 'archive', groupId, period: createBoardId() });
		const postId = createPost(server.doc, { authorId: alice, body: 'What the journey showed me.' }, { now: NOW });
		const roundId = openRound(server.doc, { openedBy: fran, prompt: 'How are you arriving?' }, NOW);
		return { server, postId, roundId };
	}

	it('takes replies, reactions, edits and removals as the board does', () => {
		const { server, postId } = archiveWithAlicesThread();
		server.accept('bob', (doc) =>
			createPost(doc, { authorId: bob, body: 'Still thinking of this.', parentId: postId }, { now: NOW + 10 })
		);
		server.accept('bob', (doc) => toggleReaction(doc, postId, 'metoo', bob, { now: NOW + 11 }));
		server.accept('alice', (doc) => editPost(doc, postId, 'What the journey showed me, months on.', { now: NOW + 12 }));
		server.accept('fran', (doc) => setMark(doc, 'pins', postId, fran, NOW + 13));
		refused(
			server.checkChange('bob', (doc) => editPost(doc, postId, 'Not yours.', { now: NOW + 14 })),
			/Only the author/
		);
	});

	it('starts no new thread and keeps its rounds as they were', () => {
		const { server, roundId } = archiveWithAlicesThread();
		const thread = server.change((doc) =>
			createPost(doc, { authorId: alice, body: 'A new thread.' }, { now: NOW + 1 })
		);
		refused(server.check(thread, 'alice'), /reply to what was shared/);
		const facilitatorsThread = server.change((doc) =>
			createPost(doc, { authorId: fran, body: 'Not here either.' }, { now: NOW + 1 })
		);
		refused(server.check(facilitatorsThread, 'fran'), /reply to what was shared/);
		const answer = server.change((doc) => answerRound(doc, roundId, bob, { at: NOW + 2, scale: 7 }));
		refused(server.check(answer, 'bob'), /round has ended/);
		const closing = server.change((doc) => closeRound(doc, roundId, NOW + 3));
		refused(server.check(closing, 'fran'), /round has ended/);
	});
});
