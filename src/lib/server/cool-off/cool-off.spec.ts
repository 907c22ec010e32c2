// Cool-off after a journey, against the real realtime server: a member's crafted group post during the
// cool-off is refused and never stored, the window follows the schedule while the socket stays open, and
// facilitators learn how many posts wait — never their words.
import { describe, expect, it } from 'vitest';
import { holdPost, listHeldPosts, shareHeldPost } from '$lib/board/cool-off';
import { journalDocumentName } from '$lib/board/document-names';
import { createPost, listPosts } from '$lib/board/posts';
import { auditEvent } from '$lib/server/db/schema';
import { connection } from '$lib/server/db';
import { eq } from 'drizzle-orm';
import { addSession, listSessions, updateSession } from '../schedule/program';
import { toZonedDateTime } from '../schedule/zoned-time';
import { GroupRuleError } from '../groups/errors';
import { collectMemberExport } from '../export/member-data';
import { countWaitingPosts, getCoolOff, setCoolOffHours } from '.';
import { createPerson, loadStoredDocument, startRealtimeCircle, waitFor, type Person } from '$test/realtime';
import { groupPageEvent, statusOf } from '$test/request-events';
import { actions, load } from '../../../routes/(app)/groups/[groupId]/schedule/+page.server';

const HOUR = 60 * 60 * 1000;
const WORDS = 'Everything is too bright today';
const circle = await startRealtimeCircle({ members: ['Ada', 'Ben'] });
const { groups, facilitator: robin, groupId, document, open } = circle;
const [ada, ben] = circle.members;

/** The journey's date and time as the schedule form takes them, in the circle's zone. */
function journeyAt(instant: number) {
	return toZonedDateTime(new Date(instant), 'Europe/Berlin');
}

describe('cool-off after a journey', () => {
	it('is off until a facilitator chooses hours, which are audited and checked', async () => {
		expect(await getCoolOff(groupId)).toEqual({ hours: 0, windows: [] });
		await expect(setCoolOffHours({ groupId, actorId: robin.userId, hours: 7 })).rejects.toBeInstanceOf(GroupRuleError);
		await setCoolOffHours({ groupId, actorId: robin.userId, hours: 24 });
		expect((await getCoolOff(groupId)).hours).toBe(24);
		const audited = await connection.db
			.select()
			.from(auditEvent)
			.where(eq(auditEvent.action, 'group.cool_off_changed'));
		expect(audited).toMatchObject([{ actorId: robin.userId, groupId, detail: { from: 0, to: 24 } }]);
	});

	it('refuses a member’s crafted post in the window, once the schedule has a journey, on a socket already open', async () => {
		const adaBoard = await open(ada);
		try {
			// Ada's socket was opened before there was any journey: the schedule change reaches it.
			await addSession({ groupId, actorId: robin.userId, kind: 'journey', ...journeyAt(Date.now() - HOUR) });
			createPost(adaBoard.doc, { authorId: ada.userId, body: WORDS });
			await waitFor(() => adaBoard.refusals.length > 0, 10_000, 'refusal');
			expect(adaBoard.refusals[0].reason).toMatch(/^policy: Read it once more before it is shared/);
			const stored = await loadStoredDocument(document);
			expect(listPosts(stored)).toEqual([]);
		} finally {
			adaBoard.destroy();
		}
	});

	it('leaves the facilitators’ posts and members’ replies alone', async () => {
		const robinBoard = await open(robin);
		const benBoard = await open(ben);
		try {
			const postId = createPost(robinBoard.doc, { authorId: robin.userId, body: 'Welcome back, everyone.' });
			await robinBoard.waitForSaved();
			await waitFor(() => benBoard.doc.getMap('posts').has(postId), 10_000, 'post at Ben');
			await benBoard.write((doc) => createPost(doc, { authorId: ben.userId, body: 'Thank you', parentId: postId }));
		} finally {
			robinBoard.destroy();
			benBoard.destroy();
		}
	});

	it('tells facilitators how many posts wait, never the words', async () => {
		const journal = await open(ada, journalDocumentName(ada.userId));
		try {
			await journal.write((doc) => holdPost(doc, { groupId, body: WORDS }));
			const counts = await countWaitingPosts(groupId);
			expect(counts).toEqual([{ userId: ada.userId, count: 1 }]);
			expect(JSON.stringify(counts)).not.toContain('bright');
			// The author's own export has the words; nobody else's data does.
			expect((await collectMemberExport(ada.userId)).heldPosts).toMatchObject([{ groupId, body: WORDS }]);
			expect((await collectMemberExport(ben.userId)).heldPosts).toEqual([]);
		} finally {
			journal.destroy();
		}
	});

	it('lets the member share the held post once the journey’s cool-off is over', async () => {
		const adaBoard = await open(ada);
		const benBoard = await open(ben);
		const journal = await open(ada, journalDocumentName(ada.userId));
		try {
			const [held] = listHeldPosts(journal.doc, groupId);
			expect(held.body).toBe(WORDS);
			// The facilitator moves the journey three days back: its 24 hours have passed.
			const [journey] = (await listSessions(groupId)).filter((s) => s.kind === 'journey');
			await updateSession({
				groupId,
				actorId: robin.userId,
				sessionId: journey.id,
				state: 'done',
				...journeyAt(Date.now() - 72 * HOUR)
			});
			expect((await getCoolOff(groupId)).windows[0].until).toBeLessThan(Date.now());
			const postId = await adaBoard.write((doc) => shareHeldPost(doc, held, ada.userId));
			await waitFor(() => benBoard.doc.getMap('posts').has(postId), 10_000, 'shared post at Ben');
			expect(listPosts(benBoard.doc).find((post) => post.id === postId)).toMatchObject({ body: WORDS });
		} finally {
			adaBoard.destroy();
			benBoard.destroy();
			journal.destroy();
		}
	});
});

function eventFor(person: Person, form?: Record<string, string>) {
	return groupPageEvent(person, groupId, 'schedule', form);
}

describe('the schedule page’s cool-off setting', () => {
	it('is changed by the group’s facilitators only; anyone else gets the same 404 as a group that does not exist', async () => {
		const before = (await getCoolOff(groupId)).hours;
		const olu = await createPerson('Olu', 'staff');
		await groups.createGroup(olu);
		expect(await statusOf(Promise.resolve(actions.setCoolOff(eventFor(ada, { hours: '0' }))))).toBe(404);
		expect(await statusOf(Promise.resolve(actions.setCoolOff(eventFor(olu, { hours: '0' }))))).toBe(404);
		expect(await actions.setCoolOff(eventFor(robin, { hours: '1000' }))).toMatchObject({
			status: 400,
			data: { message: 'Please choose how long the cool-off lasts.' }
		});
		expect((await getCoolOff(groupId)).hours).toBe(before);
		expect(await actions.setCoolOff(eventFor(robin, { hours: '48' }))).toMatchObject({ action: 'setCoolOff' });
		expect((await getCoolOff(groupId)).hours).toBe(48);
	});

	it('shows members the setting but not the waiting counts', async () => {
		const asMember = (await load(eventFor(ben))) as { coolOff: { hours: number }; waiting: unknown[] };
		expect(asMember.coolOff.hours).toBe(48);
		expect(asMember.waiting).toEqual([]);
	});
});
