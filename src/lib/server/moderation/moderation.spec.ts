// Moderation against a real PostgreSQL and the real realtime server: flags reach the staff space, hiding
// takes a post off other members' devices and restoring brings it back, redaction leaves a tombstone and
// no trace of the words anywhere in the database, mutes make the server refuse posts, the staff space is
// closed to members, and an urgent message reaches a facilitator's open staff space live.
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { careDocumentName, staffDocumentName } from '$lib/board/document-names';
import { createPost, getPost, listPosts, toggleReaction } from '$lib/board/posts';
import type { Flag, HiddenPost, Notice } from '$lib/board/schema';
import { connection } from '$lib/server/db';
import { auditEvent, moderationFlag, notification } from '$lib/server/db/schema';
import { CloseCode } from '$lib/server/realtime/protocol';
import { sendUrgentMessage } from '$lib/server/support/urgent';
import { flagPost, resolveFlag } from './flags';
import { muteMember, unmuteExpired } from './mutes';
import { hidePost, redactPost, restorePost } from './posts';
import { TestClient, createPerson, startRealtimeCircle, waitFor, type Person } from '$test/realtime';
import { findInDatabase } from '$test/find-in-database';

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { server, groups, facilitator: robin, groupId, document: board, open } = circle;
const [ada, bea] = circle.members;
const staff = staffDocumentName(groupId);

function postAs(client: TestClient, person: Person, body: string, parentId?: string): Promise<string> {
	return client.write((doc) => createPost(doc, { authorId: person.userId, body, parentId }));
}

describe('flags', () => {
	it('reach the facilitators’ review queue live, with the reason; the database keeps no words', async () => {
		const adaBoard = await open(ada, board);
		const robinStaff = await open(robin, staff);
		try {
			const postId = await postAs(adaBoard, ada, 'Something that worries Bea');
			const flagId = await flagPost({ groupId, userId: bea.userId, postId, reason: 'This felt unsafe' });
			await waitFor(() => robinStaff.doc.getMap('flags').has(flagId), 5_000, 'the flag in the staff space');
			expect(robinStaff.doc.getMap('flags').get(flagId)).toMatchObject({
				postId,
				flaggedBy: bea.userId,
				reason: 'This felt unsafe',
				status: 'open'
			} satisfies Partial<Flag>);
			const [row] = await connection.db.select().from(moderationFlag).where(eq(moderationFlag.id, flagId));
			expect(row).toMatchObject({ groupId, postId, flaggedBy: bea.userId, status: 'open' });
			const notes = await connection.db.select().from(notification).where(eq(notification.userId, robin.userId));
			expect(notes.some((note) => note.kind === 'flag' && note.groupId === groupId)).toBe(true);

			await resolveFlag({ groupId, actorId: robin.userId, flagId });
			await waitFor(
				() => (robinStaff.doc.getMap('flags').get(flagId) as Flag).status === 'resolved',
				5_000,
				'resolved'
			);
		} finally {
			adaBoard.destroy();
			robinStaff.destroy();
		}
	});

	it('cannot be raised by someone outside the group', async () => {
		const stranger = await createPerson('Stranger');
		await expect(flagPost({ groupId, userId: stranger.userId, postId: 'aaaaaaaaaaaaaaaaaaaaaaaa' })).rejects.toThrow(
			'Not found'
		);
	});
});

describe('hiding a post', () => {
	it('takes it off other members’ devices into the staff space, tells the author, and restoring brings it back', async () => {
		const adaBoard = await open(ada, board);
		const beaBoard = await open(bea, board);
		const adaCare = await open(ada, careDocumentName(groupId, ada.userId));
		try {
			const postId = await postAs(adaBoard, ada, 'A post that names someone outside the circle');
			await waitFor(() => getPost(beaBoard.doc, postId) !== null, 5_000, 'Bea to see the post');
			toggleReaction(beaBoard.doc, postId, 'metoo', bea.userId);
			await beaBoard.waitForSaved();

			await hidePost({ groupId, actorId: robin.userId, postId, reason: 'privacy', note: 'Please leave names out' });
			await waitFor(() => getPost(beaBoard.doc, postId)?.state === 'removed', 5_000, 'the post to leave Bea’s device');
			// Its place is held (replies keep their thread; the id is not free again), its words are gone.
			expect(getPost(adaBoard.doc, postId)).toEqual({
				state: 'removed',
				id: postId,
				createdAt: expect.any(Number),
				kind: 'post',
				removedAt: expect.any(Number),
				removedBy: robin.userId,
				removal: 'hidden'
			});

			const robinStaff = await open(robin, staff);
			try {
				const hidden = robinStaff.doc.getMap('hidden').get(postId) as HiddenPost;
				expect(hidden).toMatchObject({ by: robin.userId, from: board, reason: 'Please leave names out' });
				expect(hidden.post.body).toBe('A post that names someone outside the circle');
			} finally {
				robinStaff.destroy();
			}
			await waitFor(() => adaCare.doc.getMap('notices').size > 0, 5_000, 'the notice to Ada');
			const notices = [...adaCare.doc.getMap('notices').values()] as Notice[];
			expect(notices).toContainEqual(
				expect.objectContaining({ kind: 'hidden', postId, reason: 'Please leave names out' })
			);

			await restorePost({ groupId, actorId: robin.userId, postId });
			await waitFor(() => getPost(beaBoard.doc, postId)?.state === 'live', 5_000, 'the post to come back');
			expect(getPost(beaBoard.doc, postId)).toMatchObject({
				state: 'live',
				authorId: ada.userId,
				reactions: [expect.objectContaining({ kind: 'metoo', userId: bea.userId })]
			});
		} finally {
			adaBoard.destroy();
			beaBoard.destroy();
			adaCare.destroy();
		}
	});

	it('is for facilitators only', async () => {
		await expect(
			hidePost({ groupId, actorId: bea.userId, postId: 'aaaaaaaaaaaaaaaaaaaaaaaa', reason: 'other' })
		).rejects.toThrow('Not found');
	});
});

describe('redacting a post', () => {
	it('leaves a tombstone and no trace of the words in any stored row of the database', async () => {
		const words = 'redact-me: the words that must vanish 91c2';
		const adaBoard = await open(ada, board);
		const beaBoard = await open(bea, board);
		try {
			const postId = await postAs(adaBoard, ada, words);
			await postAs(beaBoard, bea, 'A reply, so the thread stays', postId);
			// Hidden first, flagged with a reason quoting it, edited once: every place the words could hide.
			await flagPost({ groupId, userId: bea.userId, postId, reason: `it said "${words}"` });
			await hidePost({ groupId, actorId: robin.userId, postId, reason: 'safety' });
			await redactPost({ groupId, actorId: robin.userId, postId, reason: 'safety' });

			await waitFor(
				() => {
					const post = getPost(beaBoard.doc, postId);
					return post?.state === 'removed' && post.removal === 'facilitator';
				},
				5_000,
				'the tombstone'
			);
			expect(getPost(beaBoard.doc, postId)).toMatchObject({ removal: 'facilitator', removedBy: robin.userId });
			expect(listPosts(beaBoard.doc).filter((post) => post.parentId === postId)).toHaveLength(1);

			const [audit] = await connection.db
				.select()
				.from(auditEvent)
				.where(sql`${auditEvent.action} = 'post.redacted' and ${auditEvent.objectId} = ${postId}`);
			expect(audit).toMatchObject({ actorId: robin.userId, groupId, detail: { reason: 'safety' } });

			expect(await findInDatabase(words)).toEqual([]);
			// Control: the same search does find words that are still there.
			expect((await findInDatabase('A reply, so the thread stays')).length).toBeGreaterThan(0);
		} finally {
			adaBoard.destroy();
			beaBoard.destroy();
		}
	});
});

describe('muting', () => {
	it('makes the server refuse a muted member’s post, and a timed mute ends by itself', async () => {
		const cato = await createPerson('Cato');
		await groups.add(groupId, cato, robin);
		const client = await open(cato, board);
		try {
			await muteMember({ groupId, actorId: robin.userId, userId: cato.userId, hours: 2 });
			await waitFor(() => client.canWrite === false, 5_000, 'read-only');
			createPost(client.doc, { authorId: cato.userId, body: 'Can anyone hear me?' });
			await waitFor(() => client.refusals.length > 0, 5_000, 'the refusal');
			expect(client.refusals[0].reason).toBe('read-only');

			expect(await unmuteExpired(new Date(Date.now() + 3 * 3_600_000))).toBeGreaterThanOrEqual(1);
			// The open connection is told at once, without reconnecting.
			await waitFor(() => client.canWrite === true, 5_000, 'the open connection to turn writable');
			const fresh = await open(cato, board);
			try {
				await waitFor(() => fresh.canWrite === true, 5_000, 'writable again');
				await postAs(fresh, cato, 'Back again');
			} finally {
				fresh.destroy();
			}
		} finally {
			client.destroy();
		}
	});
});

describe('the staff space', () => {
	it('cannot be opened by a member under any document name', async () => {
		for (const name of [staff, `staff:${groupId}`, encodeURIComponent(staff)]) {
			const client = new TestClient(server, name, { person: ada });
			try {
				expect(await client.waitForClose()).toBe(CloseCode.forbidden);
				expect(client.doc.getMap('flags').size).toBe(0);
			} finally {
				client.destroy();
			}
		}
	});
});

describe('message my facilitators now', () => {
	it('reaches a facilitator’s open staff space live and lands in the member’s care space', async () => {
		const robinStaff = await open(robin, staff);
		try {
			const { postId } = await sendUrgentMessage({ groupId, userId: bea.userId, body: 'I am not doing well tonight' });
			await waitFor(
				() => [...robinStaff.doc.getMap('flags').values()].some((flag) => (flag as Flag).postId === postId),
				5_000,
				'the alert'
			);
			const robinCare = await open(robin, careDocumentName(groupId, bea.userId));
			try {
				expect(getPost(robinCare.doc, postId)).toMatchObject({
					kind: 'urgent',
					authorId: bea.userId,
					body: 'I am not doing well tonight'
				});
			} finally {
				robinCare.destroy();
			}
			const notes = await connection.db.select().from(notification).where(eq(notification.userId, robin.userId));
			expect(notes.some((note) => note.kind === 'urgent_message')).toBe(true);
		} finally {
			robinStaff.destroy();
		}
	});
});
