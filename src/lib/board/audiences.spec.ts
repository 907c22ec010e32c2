import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	AUDIENCES,
	audienceDocumentName,
	describeAudience,
	describeReplyProblem,
	listIntentions,
	listResonance,
	prepareShare
} from './audiences';
import { parseDocumentName } from './document-names';
import { createBoardId } from './ids';
import { checkUpdate } from './policy';
import { createPost, getPost, listPosts, removePost, toggleReaction, type LivePost } from './posts';

const groupId = createBoardId();
const sam = createBoardId();
const alex = createBoardId();
const NOW = Date.UTC(2026, 0, 10, 18);

function livePost(doc: Y.Doc, id: string): LivePost {
	const post = getPost(doc, id);
	if (post?.state !== 'live') throw new Error('expected a live post');
	return post;
}

describe('audiences', () => {
	it('keeps each audience in its own document', () => {
		expect(parseDocumentName(audienceDocumentName('group', groupId, sam))).toEqual({ kind: 'group', groupId });
		expect(parseDocumentName(audienceDocumentName('care', groupId, sam))).toEqual({
			kind: 'care',
			groupId,
			userId: sam
		});
		expect(parseDocumentName(audienceDocumentName('journal', groupId, sam))).toEqual({ kind: 'journal', userId: sam });
	});

	it('says in plain words who will see a post', () => {
		expect(describeAudience('care')).toBe('Only your facilitators will see this.');
		expect(AUDIENCES.map((a) => a.value)).toEqual(['group', 'care', 'journal']);
	});

	it('copies a journal note into the group as an ordinary post the policy accepts', () => {
		const journal = new Y.Doc();
		const noteId = createPost(
			journal,
			{ authorId: sam, body: 'Felt held by the music.', kind: 'note', sessionId: groupId },
			{ now: NOW }
		);
		const input = prepareShare(livePost(journal, noteId), 'group');
		expect(input).toEqual({ authorId: sam, body: 'Felt held by the music.', kind: 'post', sessionId: groupId });

		const group = new Y.Doc();
		const before = Y.encodeStateVector(group);
		createPost(group, input, { now: NOW });
		const shadow = new Y.Doc();
		const result = checkUpdate(shadow, Y.encodeStateAsUpdate(group, before), {
			userId: sam,
			role: 'member',
			canWrite: true,
			document: { kind: 'group', groupId },
			now: NOW
		});
		expect(result.ok).toBe(true);
		// The original stays in the journal, untouched.
		expect(livePost(journal, noteId).kind).toBe('note');
	});

	it('keeps an insight an insight, with its prompt, when shared with the facilitators', () => {
		const journal = new Y.Doc();
		const id = createPost(
			journal,
			{ authorId: sam, body: 'Less alone.', kind: 'insight', prompt: 'What came up for me' },
			{ now: NOW }
		);
		expect(prepareShare(livePost(journal, id), 'care')).toEqual({
			authorId: sam,
			body: 'Less alone.',
			kind: 'insight',
			prompt: 'What came up for me'
		});
	});

	it('finds the "me too"s others gave to a person’s posts, not their own or other kinds', () => {
		const doc = new Y.Doc();
		const mine = createPost(doc, { authorId: sam, body: 'I was scared.' }, { now: NOW });
		const theirs = createPost(doc, { authorId: alex, body: 'So was I.' }, { now: NOW });
		toggleReaction(doc, mine, 'metoo', alex, { now: NOW + 2 });
		toggleReaction(doc, mine, 'holding', alex, { now: NOW + 3 });
		toggleReaction(doc, theirs, 'metoo', sam, { now: NOW + 4 });
		expect(listResonance(listPosts(doc), sam)).toEqual([{ postId: mine, userId: alex, at: NOW + 2 }]);
		expect(listResonance(listPosts(doc), alex)).toEqual([{ postId: theirs, userId: sam, at: NOW + 4 }]);
	});

	it('lists a person’s own intentions, newest first', () => {
		const doc = new Y.Doc();
		createPost(doc, { authorId: sam, body: 'To be gentle with myself.', kind: 'intention' }, { now: NOW });
		createPost(doc, { authorId: sam, body: 'To listen.', kind: 'intention' }, { now: NOW + 10 });
		createPost(doc, { authorId: sam, body: 'Just a thought.' }, { now: NOW + 20 });
		expect(listIntentions(listPosts(doc), sam).map((p) => p.body)).toEqual(['To listen.', 'To be gentle with myself.']);
		expect(listIntentions(listPosts(doc), alex)).toEqual([]);
	});

	it('explains kindly why a reply cannot go under a deleted post', () => {
		const doc = new Y.Doc();
		const id = createPost(doc, { authorId: alex, body: 'Hello.' }, { now: NOW });
		createPost(doc, { authorId: sam, body: 'Hi.', parentId: id }, { now: NOW });
		expect(describeReplyProblem(getPost(doc, id))).toBeNull();
		removePost(doc, id, { userId: alex, removal: 'author' }, { now: NOW });
		expect(describeReplyProblem(getPost(doc, id))).toMatch(/deleted.*still in the box/);
		expect(describeReplyProblem(null)).toMatch(/deleted/);
	});
});
