// Arrival trends against the real database and stored (encrypted) documents: which answers count, passed
// versus absent, a session with no round, a member who joined late, rounds that archiving moved into
// `archive:<g>:<session>`; the facilitators' page refused to members and to another group's facilitator;
// a member's page holds only their own; an intention reaches the facilitators only while its author
// chooses to show it, and the choice is audited without the words.
import { isActionFailure } from '@sveltejs/kit';
import { groupPageEvent, statusOf } from '$test/request-events';
import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { journalDocumentName } from '$lib/board/document-names';
import { answerRound, closeRound, listRounds, openRound } from '$lib/board/facilitation';
import { createPost } from '$lib/board/posts';
import { listArchives, archiveFinishedThreads } from '$lib/server/archive/archive';
import { connection } from '$lib/server/db';
import { generateId } from '$lib/server/db/ids';
import { auditEvent, groupMember, intentionShare, programSession } from '$lib/server/db/schema';
import { changeDocument, readDocument } from '$lib/server/realtime/server-writes';
import { getGroupArrivals, getOwnArrivals } from '$lib/server/trends';
import { createPerson, startRealtimeCircle, type Person } from '$test/realtime';
import { load as loadArrivals } from '../../src/routes/(app)/groups/[groupId]/arrivals/+page.server';
import { actions, load as loadMine } from '../../src/routes/(app)/groups/[groupId]/my-arrivals/+page.server';

const DAY = 86_400_000;
const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { groups, facilitator: robin, groupId, document: board } = circle;
const [ada, bea] = circle.members;

const INTENTION = 'Ada: to meet what comes with kindness.';
const scale = { min: 1, max: 10, label: 'How are you arriving, from 1 to 10?' };
const ids: Record<string, string> = {};
let cai: Person;
let otherFacilitator: Person;

async function addSession(
	kind: 'journey' | 'preparation',
	number: number,
	startsAt: number,
	state: 'done' | 'in_progress'
) {
	const id = generateId();
	await connection.db.insert(programSession).values({ id, groupId, kind, number, startsAt: new Date(startsAt), state });
	return id;
}

beforeAll(async () => {
	const now = Date.now();
	ids.s1 = await addSession('preparation', 1, now - 40 * DAY, 'done');
	ids.s2 = await addSession('journey', 1, now - 33 * DAY, 'done');
	ids.s3 = await addSession('journey', 2, now - 10 * DAY, 'done');
	ids.s4 = await addSession('journey', 3, now - 60 * 60_000, 'in_progress');
	// Ada and Bea joined before the program began; Cai joins now, after the first three sessions.
	await connection.db
		.update(groupMember)
		.set({ joinedAt: new Date(now - 50 * DAY) })
		.where(inArray(groupMember.userId, [ada.userId, bea.userId]));
	cai = await createPerson('Cai');
	await groups.add(groupId, cai, robin);

	await changeDocument(board, (doc) => {
		const r1 = openRound(doc, { openedBy: robin.userId, prompt: 'Arriving', sessionId: ids.s1, scale }, now - 40 * DAY);
		answerRound(doc, r1, ada.userId, { at: now - 40 * DAY + 60_000, scale: 4, body: 'Ada: tired.' });
		answerRound(doc, r1, bea.userId, { at: now - 40 * DAY + 60_000, passed: true });
		closeRound(doc, r1, now - 40 * DAY + 30 * 60_000);
		// A round without the scale: Bea spoke there, but it says nothing about arriving.
		const words = openRound(
			doc,
			{ openedBy: robin.userId, prompt: 'Words', sessionId: ids.s1 },
			now - 40 * DAY + DAY / 24
		);
		answerRound(doc, words, bea.userId, { at: now - 40 * DAY + DAY / 24, body: 'Bea: words only.' });
		closeRound(doc, words, now - 40 * DAY + DAY / 12);
		// Session 2 had no round at all.
		const r3 = openRound(doc, { openedBy: robin.userId, prompt: 'Arriving', sessionId: ids.s3, scale }, now - 10 * DAY);
		answerRound(doc, r3, ada.userId, { at: now - 10 * DAY + 60_000, scale: 6 });
		closeRound(doc, r3, now - 10 * DAY + 30 * 60_000);
		const r4 = openRound(doc, { openedBy: robin.userId, prompt: 'Arriving', sessionId: ids.s4, scale });
		answerRound(doc, r4, ada.userId, { at: Date.now(), scale: 8 });
		answerRound(doc, r4, bea.userId, { at: Date.now(), scale: 5 });
		answerRound(doc, r4, cai.userId, { at: Date.now(), scale: 7 });
		closeRound(doc, r4);
		ids.r1 = r1;
	});
	// Preparation 1 is done and began over 28 days ago: its rounds move to its archive.
	await archiveFinishedThreads(groupId);
	await changeDocument(journalDocumentName(ada.userId), (doc) => {
		createPost(
			doc,
			{ authorId: ada.userId, body: 'Ada: an older intention.', kind: 'intention' },
			{ now: Date.now() - DAY }
		);
		createPost(doc, { authorId: ada.userId, body: INTENTION, kind: 'intention' });
		createPost(doc, { authorId: ada.userId, body: 'Ada: a journal entry.' });
	});
	otherFacilitator = await createPerson('Olu', 'staff');
	await groups.createGroup(otherFacilitator);
});

function eventFor(person: Person, form?: Record<string, string>) {
	return groupPageEvent(person, groupId, 'arrivals', form);
}

const summary = (entries: { label: string; status: string; scale: number | null }[]) =>
	entries.map((entry) => [entry.label, entry.status, entry.scale]);

describe('the arrival trend', () => {
	it('reads rounds that archiving moved out of the board', async () => {
		expect.hasAssertions();
		expect(await listArchives(groupId)).toEqual([ids.s1]);
		const left = await readDocument(board);
		expect(listRounds(left).map((round) => round.id)).not.toContain(ids.r1);
		left.destroy();
		expect(summary(await getOwnArrivals(groupId, ada.userId))).toEqual([
			['Preparation 1', 'answered', 4],
			['Journey 1', 'no-round', null],
			['Journey 2', 'answered', 6],
			['Journey 3', 'answered', 8]
		]);
	});

	it('tells passed from absent, and does not count words in a round without the scale', async () => {
		expect.hasAssertions();
		expect(summary(await getOwnArrivals(groupId, bea.userId))).toEqual([
			['Preparation 1', 'passed', null],
			['Journey 1', 'no-round', null],
			['Journey 2', 'absent', null],
			['Journey 3', 'answered', 5]
		]);
	});

	it('does not count a member who joined late absent from the sessions before', async () => {
		expect.hasAssertions();
		expect(summary(await getOwnArrivals(groupId, cai.userId))).toEqual([
			['Preparation 1', 'not-in-group', null],
			['Journey 1', 'no-round', null],
			['Journey 2', 'not-in-group', null],
			['Journey 3', 'answered', 7]
		]);
	});

	it('gives the facilitators every active member, in the order they joined', async () => {
		expect.hasAssertions();
		const members = await getGroupArrivals(groupId);
		expect(members.map((member) => [member.name, member.arrivals.at(-1)?.scale])).toEqual([
			['Ada', 8],
			['Bea', 5],
			['Cai', 7]
		]);
	});
});

describe('who may see which trend', () => {
	it('refuses the facilitators’ page to members and to another group’s facilitator, as if it did not exist', async () => {
		expect.hasAssertions();
		expect(await statusOf(Promise.resolve(loadArrivals(eventFor(ada))))).toBe(404);
		expect(await statusOf(Promise.resolve(loadArrivals(eventFor(otherFacilitator))))).toBe(404);
		const page = (await loadArrivals(eventFor(robin))) as Awaited<ReturnType<typeof getGroupArrivals>> extends infer M
			? { members: M }
			: never;
		expect(page.members.map((member) => member.name)).toEqual(['Ada', 'Bea', 'Cai']);
	});

	it('shows a member only their own arrivals, never another member’s', async () => {
		expect.hasAssertions();
		const page = await loadMine(eventFor(bea));
		const text = JSON.stringify(page);
		expect(summary((page as { arrivals: never[] }).arrivals).at(-1)).toEqual(['Journey 3', 'answered', 5]);
		for (const other of [ada, cai]) {
			expect(text).not.toContain(other.userId);
			expect(text).not.toContain(other.name);
		}
		expect(text).not.toContain('"8"');
		expect(await statusOf(Promise.resolve(loadMine(eventFor(otherFacilitator))))).toBe(404);
		expect(await statusOf(Promise.resolve(loadMine(eventFor(robin))))).toBe(`redirect /groups/${groupId}/arrivals`);
	});
});

describe('showing an intention to the facilitators', () => {
	const adaOnRobinsPage = async () => (await getGroupArrivals(groupId)).find((member) => member.userId === ada.userId)!;
	const audits = () =>
		connection.db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.actorId, ada.userId), eq(auditEvent.groupId, groupId)));

	it('is off until the member chooses it, then shows their newest intention; taking it back hides it', async () => {
		expect.hasAssertions();
		expect(await adaOnRobinsPage()).toMatchObject({ intentionShared: false, intention: null });
		expect(await loadMine(eventFor(ada))).toMatchObject({ intentionShared: false, intention: { body: INTENTION } });

		expect(await actions.intention(eventFor(ada, { show: 'yes' }))).toMatchObject({ action: 'intention' });
		expect(await adaOnRobinsPage()).toMatchObject({ intentionShared: true, intention: { body: INTENTION } });
		// Bea chose nothing: her journal is not read for the facilitators.
		expect((await getGroupArrivals(groupId)).find((m) => m.userId === bea.userId)).toMatchObject({
			intentionShared: false,
			intention: null
		});
		// Saying it again changes nothing and records nothing more.
		await actions.intention(eventFor(ada, { show: 'yes' }));

		await actions.intention(eventFor(ada, { show: 'no' }));
		expect(await adaOnRobinsPage()).toMatchObject({ intentionShared: false, intention: null });

		const rows = await audits();
		expect(rows.map((row) => row.action).filter((action) => action.startsWith('intention.'))).toEqual([
			'intention.shared',
			'intention.unshared'
		]);
		expect(JSON.stringify(rows)).not.toContain(INTENTION);
	});

	it('does not carry a choice made in an earlier membership into a new one', async () => {
		expect.hasAssertions();
		// Bea chose to show it once, before she was last (re)joined: that choice has lapsed.
		await connection.db
			.insert(intentionShare)
			.values({ groupId, userId: bea.userId, sharedAt: new Date(Date.now() - 60 * DAY) });
		expect((await getGroupArrivals(groupId)).find((m) => m.userId === bea.userId)).toMatchObject({
			intentionShared: false
		});
		expect(await loadMine(eventFor(bea))).toMatchObject({ intentionShared: false });
		await actions.intention(eventFor(bea, { show: 'yes' }));
		expect((await getGroupArrivals(groupId)).find((m) => m.userId === bea.userId)).toMatchObject({
			intentionShared: true
		});
		await actions.intention(eventFor(bea, { show: 'no' }));
	});

	it('refuses a bad choice, a facilitator and another group’s facilitator, changing nothing', async () => {
		expect.hasAssertions();
		const refused = await actions.intention(eventFor(ada, { show: 'maybe' }));
		expect(isActionFailure(refused) && refused.status).toBe(400);
		expect(await statusOf(Promise.resolve(actions.intention(eventFor(robin, { show: 'yes' }))))).toBe(404);
		expect(await statusOf(Promise.resolve(actions.intention(eventFor(otherFacilitator, { show: 'yes' }))))).toBe(404);
		expect(await connection.db.select().from(intentionShare).where(eq(intentionShare.groupId, groupId))).toEqual([]);
	});
});
