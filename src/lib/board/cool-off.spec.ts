import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	JOURNEY_SESSION_HOURS,
	editHeldPost,
	findCoolOffEnd,
	holdPost,
	keepHeldPost,
	listHeldPosts,
	planCoolOff,
	releaseHeldPost,
	shareHeldPost
} from './cool-off';
import { openRound, answerRound } from './facilitation';
import { createBoardId } from './ids';
import { NOW, TestServer, people } from './policy.fixtures';
import { createPost, editPost, listPosts } from './posts';

const HOUR = 60 * 60 * 1000;
const groupId = createBoardId();
const { alice, fran } = people;

// A journey that started two hours ago, with a 24-hour cool-off: the window runs until 25 hours from now.
const journeyStart = NOW - 2 * HOUR;
const coolOff = planCoolOff([journeyStart], 24);

function board() {
	return new TestServer({ kind: 'group', groupId });
}

describe('the cool-off window', () => {
	it('runs from a journey’s start until the chosen hours after its end', () => {
		expect(coolOff).toEqual([{ from: journeyStart, until: journeyStart + (JOURNEY_SESSION_HOURS + 24) * HOUR }]);
		expect(findCoolOffEnd(coolOff, journeyStart - 1)).toBeNull();
		expect(findCoolOffEnd(coolOff, NOW)).toBe(coolOff[0].until);
		expect(findCoolOffEnd(coolOff, coolOff[0].until)).toBeNull();
	});

	it('is off when the group has not chosen any hours', () => {
		expect(planCoolOff([journeyStart], 0)).toEqual([]);
		expect(findCoolOffEnd(undefined, NOW)).toBeNull();
	});

	it('joins journeys whose cool-offs overlap', () => {
		const windows = planCoolOff([journeyStart + 20 * HOUR, journeyStart], 24);
		expect(findCoolOffEnd(windows, NOW)).toBe(journeyStart + 20 * HOUR + (JOURNEY_SESSION_HOURS + 24) * HOUR);
	});
});

describe('the policy during a cool-off', () => {
	it('refuses a member’s new group post inside the window, with a kind reason', () => {
		const server = board();
		const update = server.change((doc) => createPost(doc, { authorId: alice, body: 'Raw words' }, { now: NOW }));
		const result = server.send(update, 'alice', { coolOff });
		expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^Read it once more before it is shared/) });
		expect(listPosts(server.doc)).toHaveLength(0);
	});

	it('refuses insights too, whatever kind the post claims', () => {
		const server = board();
		const update = server.change((doc) =>
			createPost(doc, { authorId: alice, body: 'It came up', kind: 'insight', prompt: 'What came up?' }, { now: NOW })
		);
		expect(server.send(update, 'alice', { coolOff }).ok).toBe(false);
	});

	it('allows the same post once the window has ended, and when there is no window', () => {
		const server = board();
		const after = server.change((doc) => createPost(doc, { authorId: alice, body: 'Later' }, { now: NOW }));
		expect(server.send(after, 'alice', { coolOff, now: coolOff[0].until }).ok).toBe(true);
		const none = server.change((doc) => createPost(doc, { authorId: alice, body: 'No cool-off' }, { now: NOW }));
		expect(server.send(none, 'alice', { coolOff: [] }).ok).toBe(true);
	});

	it('leaves facilitators free to post', () => {
		const server = board();
		const update = server.change((doc) => createPost(doc, { authorId: fran, body: 'Welcome back' }, { now: NOW }));
		expect(server.send(update, 'fran', { coolOff }).ok).toBe(true);
	});

	it('keeps replies, edits and round answers possible', () => {
		const server = board();
		let postId = '';
		server.accept('fran', (doc) => (postId = createPost(doc, { authorId: fran, body: 'How are you?' }, { now: NOW })));
		const reply = server.change((doc) =>
			createPost(doc, { authorId: alice, body: 'Held', parentId: postId }, { now: NOW })
		);
		expect(server.send(reply, 'alice', { coolOff }).ok).toBe(true);

		let ownId = '';
		const own = server.change((doc) => (ownId = createPost(doc, { authorId: alice, body: 'Before' }, { now: NOW })));
		expect(server.send(own, 'alice').ok).toBe(true);
		const edit = server.change((doc) => editPost(doc, ownId, 'Before, edited', { now: NOW }));
		expect(server.send(edit, 'alice', { coolOff }).ok).toBe(true);

		let roundId = '';
		server.accept(
			'fran',
			(doc) => (roundId = openRound(doc, { prompt: 'How are you arriving?', openedBy: fran }, NOW))
		);
		const answer = server.change((doc) => answerRound(doc, roundId, alice, { at: NOW, body: 'Tired, glad' }));
		expect(server.send(answer, 'alice', { coolOff }).ok).toBe(true);
	});
});

describe('held posts in the journal', () => {
	function journal() {
		return new TestServer({ kind: 'journal', userId: alice });
	}

	it('are written, edited, kept and let go by the journal’s owner, through the policy', () => {
		const server = journal();
		let heldId = '';
		server.accept('alice', (doc) => (heldId = holdPost(doc, { groupId, body: 'First words' }, NOW)));
		expect(listHeldPosts(server.doc, groupId).map((held) => held.body)).toEqual(['First words']);
		expect(listHeldPosts(server.doc, createBoardId())).toEqual([]);

		server.accept('alice', (doc) => editHeldPost(doc, heldId, 'Second thoughts', NOW + 1));
		expect(listHeldPosts(server.doc, groupId)[0]).toMatchObject({ body: 'Second thoughts', editedAt: NOW + 1 });

		server.accept('alice', (doc) => keepHeldPost(doc, heldId, alice, NOW + 2));
		expect(listHeldPosts(server.doc, groupId)).toEqual([]);
		expect(listPosts(server.doc)).toMatchObject([{ body: 'Second thoughts', authorId: alice }]);

		let other = '';
		server.accept('alice', (doc) => (other = holdPost(doc, { groupId, body: 'Not this one' }, NOW)));
		server.accept('alice', (doc) => releaseHeldPost(doc, other));
		expect(listHeldPosts(server.doc, groupId)).toEqual([]);
	});

	it('refuse malformed held posts', () => {
		const server = journal();
		const bad = server.change((doc) =>
			doc.getMap('held').set('x', { id: 'x', groupId, kind: 'post', body: 'no', at: NOW })
		);
		expect(server.send(bad, 'alice').ok).toBe(false);
		const id = createBoardId();
		const mismatched = server.change((doc) =>
			doc.getMap('held').set(id, { id: createBoardId(), groupId, kind: 'post', body: 'no', at: NOW })
		);
		expect(server.send(mismatched, 'alice').ok).toBe(false);
		const future = server.change((doc) => holdPost(doc, { groupId, body: 'Tomorrow' }, NOW + 24 * HOUR));
		expect(server.send(future, 'alice').ok).toBe(false);
	});

	it('are shared as the author’s own post, refused in the window and accepted after it', () => {
		const journalServer = journal();
		let heldId = '';
		journalServer.accept('alice', (doc) => (heldId = holdPost(doc, { groupId, body: 'Ready now' }, NOW)));
		const [held] = listHeldPosts(journalServer.doc, groupId);

		const server = board();
		const early = server.change((doc) => shareHeldPost(doc, held, alice, NOW));
		expect(server.send(early, 'alice', { coolOff }).ok).toBe(false);
		const later = coolOff[0].until + 1;
		const share = server.change((doc) => shareHeldPost(doc, held, alice, later));
		expect(server.send(share, 'alice', { coolOff, now: later }).ok).toBe(true);
		expect(listPosts(server.doc)).toMatchObject([{ body: 'Ready now', authorId: alice }]);
		journalServer.accept('alice', (doc) => releaseHeldPost(doc, heldId));
		expect(listHeldPosts(journalServer.doc, groupId)).toEqual([]);
	});

	it('cannot be written into someone else’s journal', () => {
		const server = journal();
		const update = server.change((doc) => holdPost(doc, { groupId, body: 'Not mine' }, NOW));
		expect(server.send(update, 'fran').ok).toBe(false);
		expect(new Y.Doc().getMap('held').size).toBe(0);
	});
});
