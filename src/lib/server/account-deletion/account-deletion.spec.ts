// Deleting an account against a real PostgreSQL and the real realtime server: one unique phrase is put
// everywhere a member can leave words (name, email, typed signature, invitation, posts, an edit, replies,
// a hidden post, a flag's reason, round answers, an alumni round's question, journal, care thread, an
// urgent message, an archive); after the deletion it is in no row of any table and in no stored update or
// snapshot once decrypted. Sessions end, sockets close, others' replies stay under a "departed" tombstone,
// and neither the person's old device nor another member's stale copy brings anything back. Refused
// without the right password, and to anyone who is not the person, their facilitator or the admin.
import { isHttpError } from '@sveltejs/kit';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { holdPost } from '$lib/board/cool-off';
import {
	archiveDocumentName,
	careDocumentName,
	journalDocumentName,
	staffDocumentName
} from '$lib/board/document-names';
import { answerRound, listRounds, openRound } from '$lib/board/facilitation';
import { createPost, editPost, getPost, listPosts, toggleReaction } from '$lib/board/posts';
import type { Flag } from '$lib/board/schema';
import { CloseCode } from '$lib/realtime/protocol';
import { validateSessionToken } from '$lib/server/auth/sessions';
import { connection } from '$lib/server/db';
import { agreementSignature, auditEvent, groupMember, session, user } from '$lib/server/db/schema';
import { createInvitation } from '$lib/server/invitations';
import { flagPost } from '$lib/server/moderation/flags';
import { hidePost } from '$lib/server/moderation/posts';
import { changeDocument } from '$lib/server/realtime/server-writes';
import { sendUrgentMessage } from '$lib/server/support/urgent';
import { createRequestEvent, uniqueAddress } from '$test/request-events';
import {
	TestClient,
	createPerson,
	loadStoredDocument,
	setPassword,
	startRealtimeCircle,
	waitFor,
	type Person
} from '$test/realtime';
import { findInDatabase } from '$test/find-in-database';
import * as ownDeletePage from '../../../routes/(app)/account/delete/+page.server';
import * as memberDeletePage from '../../../routes/(app)/groups/[groupId]/members/[userId]/delete/+page.server';
import {
	AccountDeletionError,
	DEPARTED_ROUND_PROMPT,
	FORMER_MEMBER_NAME,
	deleteMemberAccount,
	deleteOwnAccount
} from '.';

const PASSWORD = 'a quiet lake at dawn';
const PHRASE = `lantern-${Math.random().toString(36).slice(2, 10)}`;
const circle = await startRealtimeCircle({ members: [`Ada ${PHRASE}`, 'Bea', 'Cal'] });
const { server, groups, facilitator: robin, groupId, document: board, open } = circle;
const [ada, bea, cal] = circle.members;

/** Puts the phrase everywhere a member can leave words; returns the ids the tests look for. */
async function fillEverywhere(person: Person, other: Person) {
	const ids: Record<string, string> = {};
	await connection.db
		.update(user)
		.set({ email: `${PHRASE}@example.org` })
		.where(eq(user.id, person.userId));
	await createInvitation({
		groupId,
		actorId: robin.userId,
		email: `${PHRASE}@example.org`,
		note: `For ${PHRASE}`,
		origin: 'http://127.0.0.1'
	});
	const own = await open(person, board);
	const theirs = await open(other, board);
	try {
		await theirs.write((doc) => {
			ids.otherPost = createPost(doc, { authorId: other.userId, body: 'Bea: a thread of her own' });
		});
		await own.write((doc) => {
			ids.post = createPost(doc, { authorId: person.userId, body: `First words ${PHRASE}` });
		});
		// The first words stay in an update row until compaction: edited away is not yet gone.
		await own.write((doc) => editPost(doc, ids.post, `Edited words ${PHRASE}`));
		await own.write((doc) => {
			ids.reply = createPost(doc, { authorId: person.userId, body: `A reply ${PHRASE}`, parentId: ids.otherPost });
			toggleReaction(doc, ids.otherPost, 'metoo', person.userId);
			ids.toHide = createPost(doc, { authorId: person.userId, body: `To be hidden ${PHRASE}` });
		});
		await theirs.write((doc) => {
			ids.otherReply = createPost(doc, {
				authorId: other.userId,
				body: 'Bea: holding this with you',
				parentId: ids.post
			});
		});
	} finally {
		own.destroy();
		theirs.destroy();
	}
	await flagPost({ groupId, userId: other.userId, postId: ids.post, reason: `It said ${PHRASE}` });
	await flagPost({ groupId, userId: person.userId, postId: ids.otherPost, reason: `Worried ${PHRASE}` });
	await hidePost({
		groupId,
		actorId: robin.userId,
		postId: ids.toHide,
		reason: 'privacy',
		note: 'Holding this for now'
	});
	await changeDocument(board, (doc) => {
		ids.round = openRound(doc, { openedBy: robin.userId, prompt: 'How are you arriving?' });
		answerRound(doc, ids.round, person.userId, { at: Date.now(), body: `Arriving ${PHRASE}` });
		answerRound(doc, ids.round, other.userId, { at: Date.now(), body: 'Bea: arriving curious' });
		ids.alumniRound = openRound(doc, { openedBy: person.userId, prompt: `What is alive ${PHRASE}?`, alumni: true });
		answerRound(doc, ids.alumniRound, other.userId, { at: Date.now(), body: 'Bea: answering her round' });
	});
	await changeDocument(archiveDocumentName(groupId, '2026q1'), (doc) => {
		ids.archived = createPost(doc, { authorId: person.userId, body: `Archived ${PHRASE}` });
	});
	const journal = await open(person, journalDocumentName(person.userId));
	try {
		await journal.write((doc) => {
			createPost(doc, { authorId: person.userId, body: `Journal ${PHRASE}` });
			createPost(doc, { authorId: person.userId, body: `Intention ${PHRASE}`, kind: 'intention' });
			holdPost(doc, { groupId, body: `Held in a cool-off ${PHRASE}` });
		});
	} finally {
		journal.destroy();
	}
	await changeDocument(careDocumentName(groupId, person.userId), (doc) => {
		const asked = createPost(doc, { authorId: person.userId, body: `Care ${PHRASE}` });
		createPost(doc, { authorId: robin.userId, body: `Robin answers ${PHRASE}`, parentId: asked });
	});
	await sendUrgentMessage({ groupId, userId: person.userId, body: `Urgent ${PHRASE}` });
	return ids;
}

let ids: Record<string, string> = {};

/** A page's request as `person` would send it: signed in, the form in a POST body. */
function eventFor(person: Person, path: string, form: Record<string, string>, params: Record<string, string> = {}) {
	const role = person === robin ? 'staff' : 'member';
	const base = createRequestEvent({
		path,
		address: uniqueAddress(),
		locals: {
			user: { id: person.userId, email: `${person.userId}@example.org`, displayName: person.name, role },
			session: null
		}
	});
	const body = new FormData();
	for (const [name, value] of Object.entries(form)) body.set(name, value);
	return { ...base, params, request: new Request(base.url, { method: 'POST', body }) } as never;
}

async function statusOf(attempt: unknown): Promise<number | string> {
	return Promise.resolve(attempt).then(
		(result) => (result as { status?: number })?.status ?? 'answered',
		(e: unknown) => (isHttpError(e) ? e.status : ((e as { status?: number }).status ?? String(e)))
	);
}

beforeAll(async () => {
	await Promise.all([ada, bea, cal, robin].map((person) => setPassword(person, PASSWORD)));
	ids = await fillEverywhere(ada, bea);
	// Control: the search finds the phrase where it was put.
	expect((await findInDatabase(PHRASE)).length).toBeGreaterThan(5);
}, 60_000);

describe('refusals', () => {
	it('refuses a wrong password, and deletes, ends and records nothing', async () => {
		const adaBoard = await open(ada, board);
		try {
			await expect(
				deleteOwnAccount({ userId: ada.userId, password: 'not my password', address: uniqueAddress() })
			).rejects.toThrow(AccountDeletionError);
			expect((await validateSessionToken(ada.token)).user?.id).toBe(ada.userId);
			expect(getPost(adaBoard.doc, ids.post)).toMatchObject({ state: 'live' });
			expect(adaBoard.closeCodes).toEqual([]);
			const deletions = await connection.db.select().from(auditEvent).where(eq(auditEvent.action, 'account.deleted'));
			expect(deletions).toEqual([]);
		} finally {
			adaBoard.destroy();
		}
	});

	it('refuses another member, a facilitator of another group, and a facilitator naming the wrong group', async () => {
		const stranger = await createPerson('Sol', 'staff');
		await setPassword(stranger, PASSWORD);
		const otherGroup = await groups.createGroup(stranger);
		for (const attempt of [
			{ actorId: bea.userId, groupId },
			{ actorId: stranger.userId, groupId },
			{ actorId: stranger.userId, groupId: otherGroup },
			{ actorId: robin.userId, groupId: otherGroup },
			// Only the practice's admin may act without a group.
			{ actorId: robin.userId, groupId: null }
		]) {
			await expect(
				deleteMemberAccount({ ...attempt, userId: ada.userId, password: PASSWORD, address: uniqueAddress() })
			).rejects.toThrow('Not found');
		}
		// A facilitator cannot delete a facilitator, and nobody deletes themselves this way.
		await expect(
			deleteMemberAccount({
				actorId: robin.userId,
				userId: robin.userId,
				groupId,
				password: PASSWORD,
				address: uniqueAddress()
			})
		).rejects.toThrow('Not found');
		expect((await validateSessionToken(ada.token)).user?.id).toBe(ada.userId);
	});

	it('refuses a staff account its own deletion', async () => {
		await expect(
			deleteOwnAccount({ userId: robin.userId, password: PASSWORD, address: uniqueAddress() })
		).rejects.toThrow('practice’s admin');
	});
});

describe('the pages', () => {
	it('answer 404 to a member, change nothing without the tick or the right password, and sign the person out', async () => {
		const eve = await createPerson('Eve');
		await setPassword(eve, PASSWORD);
		await groups.add(groupId, eve, robin);
		const path = `/groups/${groupId}/members/${eve.userId}/delete`;
		const params = { groupId, userId: eve.userId };
		const confirmed = { password: PASSWORD, understood: 'yes' };
		expect(await statusOf(memberDeletePage.load(eventFor(bea, path, {}, params)))).toBe(404);
		expect(await statusOf(memberDeletePage.actions.delete(eventFor(bea, path, confirmed, params)))).toBe(404);
		expect(await statusOf(memberDeletePage.actions.delete(eventFor(robin, path, { password: PASSWORD }, params)))).toBe(
			400
		);
		expect(
			await statusOf(
				memberDeletePage.actions.delete(
					eventFor(robin, `/groups/${groupId}/members/${robin.userId}/delete`, confirmed, {
						groupId,
						userId: robin.userId
					})
				)
			)
		).toBe(404);
		const wrong = await ownDeletePage.actions.delete(
			eventFor(eve, '/account/delete', { password: 'not it', understood: 'yes' })
		);
		expect(wrong).toMatchObject({ status: 400, data: { message: expect.stringContaining('did not match') } });
		expect((await validateSessionToken(eve.token)).user?.id).toBe(eve.userId);

		const event = eventFor(eve, '/account/delete', confirmed) as unknown as ReturnType<typeof createRequestEvent>;
		event.jar.set('hearth_session', eve.token);
		expect(await statusOf(ownDeletePage.actions.delete(event as never))).toBe(303);
		expect(event.jar.size).toBe(0);
		expect(event.headers['Clear-Site-Data']).toBeDefined();
		expect((await validateSessionToken(eve.token)).session).toBeNull();
		const [account] = await connection.db.select().from(user).where(eq(user.id, eve.userId));
		expect(account.displayName).toBe(FORMER_MEMBER_NAME);
	}, 30_000);
});

describe('a member deletes their own account', () => {
	it('ends sessions and sockets, keeps others’ replies, and leaves the phrase in no table and no stored document', async () => {
		const adaBoard = await open(ada, board);
		const adaJournal = await open(ada, journalDocumentName(ada.userId));
		const beaBoard = await open(bea, board);
		// Bea's device goes offline holding Ada's words, to come back after the deletion.
		const staleCopy = Y.encodeStateAsUpdate(beaBoard.doc);
		try {
			await deleteOwnAccount({ userId: ada.userId, password: PASSWORD, address: uniqueAddress() });

			expect(await adaBoard.waitForClose()).toBe(CloseCode.unauthenticated);
			expect(await adaJournal.waitForClose()).toBe(CloseCode.unauthenticated);
			expect((await validateSessionToken(ada.token)).session).toBeNull();
			expect(await connection.db.select().from(session).where(eq(session.userId, ada.userId))).toEqual([]);

			// Bea's open board turned Ada's words into tombstones; her own reply under Ada's post stays.
			await waitFor(() => getPost(beaBoard.doc, ids.post)?.state === 'removed', 5_000, 'the tombstone');
			expect(getPost(beaBoard.doc, ids.post)).toMatchObject({ removal: 'departed' });
			expect(getPost(beaBoard.doc, ids.reply)).toMatchObject({ removal: 'departed' });
			expect(getPost(beaBoard.doc, ids.toHide)).toMatchObject({ removal: 'departed' });
			expect(getPost(beaBoard.doc, ids.otherReply)).toMatchObject({ state: 'live', parentId: ids.post });
			const otherPost = getPost(beaBoard.doc, ids.otherPost);
			expect(otherPost?.state === 'live' && otherPost.reactions).toEqual([]);
			const rounds = listRounds(beaBoard.doc);
			expect(rounds.find((r) => r.id === ids.round)?.answers.has(ada.userId)).toBe(false);
			expect(rounds.find((r) => r.id === ids.round)?.answers.has(bea.userId)).toBe(true);
			expect(rounds.find((r) => r.id === ids.alumniRound)?.prompt).toBe(DEPARTED_ROUND_PROMPT);

			// The staff space: the hidden copy is gone; flags stay, without words, resolved when about Ada.
			const staff = await loadStoredDocument(staffDocumentName(groupId));
			expect(staff.getMap('hidden').has(ids.toHide)).toBe(false);
			const flags = [...staff.getMap('flags').values()] as Flag[];
			expect(flags.length).toBeGreaterThanOrEqual(3);
			expect(flags.every((flag) => flag.reason === undefined || !flag.reason.includes(PHRASE))).toBe(true);
			expect(flags.filter((flag) => flag.postId === ids.post).every((flag) => flag.status === 'resolved')).toBe(true);
			const journal = await loadStoredDocument(journalDocumentName(ada.userId));
			expect(journal.getMap('posts').size).toBe(0);
			expect(journal.getMap('held').size).toBe(0);
			const care = await loadStoredDocument(careDocumentName(groupId, ada.userId));
			expect(care.getMap('posts').size).toBe(0);

			// The account row stays (ids refer to it) but names and reaches no one.
			const [account] = await connection.db.select().from(user).where(eq(user.id, ada.userId));
			expect(account).toMatchObject({ displayName: FORMER_MEMBER_NAME });
			expect(account.deletedAt).toBeInstanceOf(Date);
			expect(account.email).not.toContain(PHRASE);
			const [signature] = await connection.db
				.select()
				.from(agreementSignature)
				.where(eq(agreementSignature.userId, ada.userId));
			expect(signature).toMatchObject({ typedName: '', version: 1 });
			const [membership] = await connection.db
				.select()
				.from(groupMember)
				.where(and(eq(groupMember.userId, ada.userId), eq(groupMember.groupId, groupId)));
			expect(membership.status).toBe('left');
			const [audit] = await connection.db
				.select()
				.from(auditEvent)
				.where(and(eq(auditEvent.action, 'account.deleted'), eq(auditEvent.objectId, ada.userId)));
			expect(audit).toMatchObject({ actorId: ada.userId, objectType: 'user', detail: { by: 'self' } });

			expect(await findInDatabase(PHRASE)).toEqual([]);
			// Control: the same search still finds Bea's words.
			expect((await findInDatabase('Bea: holding this with you')).length).toBeGreaterThan(0);

			// Ada's old device cannot get back in.
			const adaDevice = new TestClient(server, board, { person: ada });
			try {
				expect(await adaDevice.waitForClose()).toBe(CloseCode.unauthenticated);
			} finally {
				adaDevice.destroy();
			}

			// Bea's stale copy reconnects: it learns of the tombstones, and brings nothing back.
			const stale = new Y.Doc();
			Y.applyUpdate(stale, staleCopy);
			expect(getPost(stale, ids.post)).toMatchObject({ state: 'live' });
			const staleClient = new TestClient(server, board, { person: bea, doc: stale });
			try {
				await staleClient.waitForSync();
				await waitFor(() => getPost(stale, ids.post)?.state === 'removed', 5_000, 'the stale copy to catch up');
			} finally {
				staleClient.destroy();
			}

			// A device writing Ada's words again under her old post's id, however Yjs orders it against the
			// tombstone: after it (a high client id), it would replace the tombstone and is refused; before it
			// (a low one), it is overwritten on arrival and shows nowhere.
			for (const clientID of [0xfffffff0, 1]) {
				const replay = new Y.Doc();
				replay.clientID = clientID;
				replay.getMap('posts').set(
					ids.post,
					new Y.Map<unknown>([
						['id', ids.post],
						['authorId', bea.userId],
						['createdAt', Date.now()],
						['kind', 'post'],
						['body', `Edited words ${PHRASE}`],
						['reactions', new Y.Map()]
					])
				);
				const replayClient = new TestClient(server, board, { person: bea, doc: replay });
				try {
					await waitFor(() => replayClient.settled && replayClient.sentUpdates > 0, 10_000, 'the answer');
					if (clientID > 1) expect(replayClient.refusals[0]?.reason).toMatch(/already taken|can remove a post/);
					const stored = await loadStoredDocument(board);
					expect(getPost(stored, ids.post)).toMatchObject({ state: 'removed', removal: 'departed' });
				} finally {
					replayClient.destroy();
				}
			}
			const stored = await loadStoredDocument(board);
			expect(getPost(stored, ids.post)).toMatchObject({ state: 'removed', removal: 'departed' });
			expect(listPosts(stored).some((post) => post.state === 'live' && post.body.includes(PHRASE))).toBe(false);
			expect(await findInDatabase(PHRASE)).toEqual([]);
		} finally {
			adaBoard.destroy();
			adaJournal.destroy();
			beaBoard.destroy();
		}
	}, 60_000);

	it('cannot be done twice', async () => {
		await expect(
			deleteOwnAccount({ userId: ada.userId, password: PASSWORD, address: uniqueAddress() })
		).rejects.toThrow('already been deleted');
	});
});

describe('a facilitator deletes a member’s account', () => {
	it('after their own password, with the same result, audited in the group', async () => {
		const calBoard = await open(cal, board);
		let postId = '';
		try {
			await calBoard.write((doc) => {
				postId = createPost(doc, { authorId: cal.userId, body: `Cal was here ${PHRASE}-cal` });
			});
			await expect(
				deleteMemberAccount({
					actorId: robin.userId,
					userId: cal.userId,
					groupId,
					password: 'wrong',
					address: uniqueAddress()
				})
			).rejects.toThrow(AccountDeletionError);
			expect(calBoard.closeCodes).toEqual([]);

			await deleteMemberAccount({
				actorId: robin.userId,
				userId: cal.userId,
				groupId,
				password: PASSWORD,
				address: uniqueAddress()
			});
			expect(await calBoard.waitForClose()).toBe(CloseCode.unauthenticated);
			const stored = await loadStoredDocument(board);
			expect(getPost(stored, postId)).toMatchObject({ state: 'removed', removal: 'departed', removedBy: robin.userId });
			const [membership] = await connection.db
				.select()
				.from(groupMember)
				.where(and(eq(groupMember.userId, cal.userId), eq(groupMember.groupId, groupId)));
			expect(membership.status).toBe('removed');
			const [audit] = await connection.db
				.select()
				.from(auditEvent)
				.where(and(eq(auditEvent.action, 'account.deleted'), eq(auditEvent.objectId, cal.userId)));
			expect(audit).toMatchObject({ actorId: robin.userId, groupId, detail: { by: 'facilitator' } });
			expect(await findInDatabase(`${PHRASE}-cal`)).toEqual([]);
		} finally {
			calBoard.destroy();
		}
	}, 60_000);

	it('and the practice’s admin may too, without a group', async () => {
		const admin = await createPerson('Ari', 'staff');
		await connection.db.update(user).set({ role: 'admin' }).where(eq(user.id, admin.userId));
		await setPassword(admin, PASSWORD);
		const dee = await createPerson('Dee');
		await groups.add(groupId, dee, robin);
		await deleteMemberAccount({
			actorId: admin.userId,
			userId: dee.userId,
			groupId: null,
			password: PASSWORD,
			address: uniqueAddress()
		});
		const [account] = await connection.db.select().from(user).where(eq(user.id, dee.userId));
		expect(account.displayName).toBe(FORMER_MEMBER_NAME);
	});
});
