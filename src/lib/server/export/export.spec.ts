// "Export my data" and the group's record, against the real database and stored (encrypted) documents:
// a member's export holds what they wrote, answered, reacted and signed — board, archive, journal, care
// thread — and nothing of other members; a facilitator's group record is theirs alone to take; a wrong
// password changes nothing; the audit log records each export without any of its content.
import { isHttpError } from '@sveltejs/kit';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	archiveDocumentName,
	careDocumentName,
	journalDocumentName,
	staffDocumentName
} from '$lib/board/document-names';
import { answerRound, openRound } from '$lib/board/facilitation';
import { createPost, toggleReaction } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { generateId } from '$lib/server/db/ids';
import { auditEvent, programSession, user } from '$lib/server/db/schema';
import { changeDocument } from '$lib/server/realtime/server-writes';
import { uniqueAddress } from '$test/request-events';
import { createPerson, setPassword, startRealtimeCircle, type Person } from '$test/realtime';
import { POST as postGroupExport } from '../../../routes/(app)/groups/[groupId]/export/+server';
import { POST as postMyExport } from '../../../routes/(app)/account/export/+server';
import { ExportError, exportGroupRecord, exportMyData } from '.';
import type { GroupRecord, MemberExport } from './shape';

const PASSWORD = 'a quiet lake at dawn';
const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { groups, facilitator: robin, groupId, document: board } = circle;
const [ada, bea] = circle.members;

const words = {
	adaPost: 'Ada: the ocean came back to me <script>alert(1)</script>',
	adaInsight: 'Ada: I want to remember the warmth.',
	adaReply: 'Ada: me too, the same colours.',
	adaArchived: 'Ada: a thought from journey one, now archived.',
	adaAnswer: 'Ada: arriving tired but here.',
	adaJournal: 'Ada: journal, only for me.',
	adaNote: 'Ada: a private note in quiet time.',
	adaIntention: 'Ada: to stay with what is tender.',
	adaCare: 'Ada: can we talk about sleep?',
	robinCare: 'Robin: of course, let us talk on Thursday.',
	beaPost: 'Bea: something only the group should read.',
	beaArchived: 'Bea: archived words of hers.',
	beaAnswer: 'Bea: arriving anxious.',
	beaJournal: 'Bea: her private journal.',
	beaCare: 'Bea: her own line to the facilitators.'
};
const beaWords = [words.beaPost, words.beaArchived, words.beaAnswer, words.beaJournal, words.beaCare];

const ids: Record<string, string> = {};
let sessionId = '';

beforeAll(async () => {
	await Promise.all([ada, bea, robin].map((person) => setPassword(person, PASSWORD)));
	sessionId = generateId();
	await connection.db
		.insert(programSession)
		.values({ id: sessionId, groupId, kind: 'journey', number: 1, startsAt: new Date(Date.now() - 86_400_000) });
	await changeDocument(board, (doc) => {
		ids.beaPost = createPost(doc, { authorId: bea.userId, body: words.beaPost });
		ids.adaPost = createPost(doc, { authorId: ada.userId, body: words.adaPost });
		ids.adaInsight = createPost(doc, {
			authorId: ada.userId,
			body: words.adaInsight,
			kind: 'insight',
			prompt: 'What I want to remember',
			sessionId
		});
		ids.adaReply = createPost(doc, { authorId: ada.userId, body: words.adaReply, parentId: ids.beaPost });
		toggleReaction(doc, ids.beaPost, 'metoo', ada.userId);
		toggleReaction(doc, ids.adaPost, 'holding', bea.userId);
		ids.round = openRound(doc, {
			openedBy: robin.userId,
			prompt: 'How are you arriving?',
			sessionId,
			scale: { min: 1, max: 10, label: 'Arriving' }
		});
		answerRound(doc, ids.round, ada.userId, { at: Date.now(), scale: 6, body: words.adaAnswer });
		answerRound(doc, ids.round, bea.userId, { at: Date.now(), body: words.beaAnswer });
	});
	await changeDocument(archiveDocumentName(groupId, sessionId), (doc) => {
		ids.adaArchived = createPost(doc, { authorId: ada.userId, body: words.adaArchived, sessionId });
		createPost(doc, { authorId: bea.userId, body: words.beaArchived, sessionId });
	});
	await changeDocument(journalDocumentName(ada.userId), (doc) => {
		createPost(doc, { authorId: ada.userId, body: words.adaJournal });
		createPost(doc, { authorId: ada.userId, body: words.adaNote, kind: 'note', sessionId });
		createPost(doc, { authorId: ada.userId, body: words.adaIntention, kind: 'intention' });
	});
	await changeDocument(journalDocumentName(bea.userId), (doc) => {
		createPost(doc, { authorId: bea.userId, body: words.beaJournal, kind: 'note' });
	});
	await changeDocument(careDocumentName(groupId, ada.userId), (doc) => {
		ids.adaCare = createPost(doc, { authorId: ada.userId, body: words.adaCare });
		createPost(doc, { authorId: robin.userId, body: words.robinCare, parentId: ids.adaCare });
	});
	await changeDocument(careDocumentName(groupId, bea.userId), (doc) => {
		createPost(doc, { authorId: bea.userId, body: words.beaCare });
	});
	// Facilitators' own notes are not anyone's export.
	await changeDocument(staffDocumentName(groupId), (doc) => {
		createPost(doc, { authorId: robin.userId, body: 'Robin: staff note about Ada.', kind: 'note' }, { root: 'notes' });
	});
});

async function exportAs(person: Person, format: 'json' | 'html' = 'json') {
	return exportMyData({ userId: person.userId, password: PASSWORD, address: uniqueAddress(), format });
}

async function auditRows(action: 'data.exported' | 'group.exported', actorId: string) {
	return connection.db
		.select()
		.from(auditEvent)
		.where(and(eq(auditEvent.action, action), eq(auditEvent.actorId, actorId)));
}

function eventFor(person: Person, path: string, form: Record<string, string>, params: Record<string, string> = {}) {
	const body = new FormData();
	for (const [name, value] of Object.entries(form)) body.set(name, value);
	const url = new URL(`http://hearth.test${path}`);
	return {
		locals: {
			user: { id: person.userId, email: `${person.userId}@example.org`, displayName: person.name, role: 'member' },
			session: null
		},
		url,
		params,
		request: new Request(url, { method: 'POST', body }),
		getClientAddress: uniqueAddress
	} as never;
}

async function statusOf(attempt: unknown): Promise<number | string> {
	return Promise.resolve(attempt).then(
		() => 'answered',
		(e: unknown) => (isHttpError(e) ? e.status : ((e as { status?: number }).status ?? String(e)))
	);
}

describe('a member’s export', () => {
	it('holds their posts (board and archive), insight, reply, round answer, reactions, journal, care thread, signatures and account', async () => {
		expect.hasAssertions();
		const file = await exportAs(ada);
		expect(file.filename).toMatch(/^hearth-export-\d{4}-\d{2}-\d{2}\.json$/);
		const data = JSON.parse(file.body) as MemberExport;
		expect(data.format).toBe('hearth-member-export');
		expect(data.account).toMatchObject({ id: ada.userId, displayName: 'Ada', role: 'member' });
		expect(Object.keys(data.account).sort()).toEqual(['createdAt', 'displayName', 'email', 'id', 'role']);

		const [group] = data.groups;
		expect(group).toMatchObject({ id: groupId, name: 'Thursday circle', role: 'member', status: 'active' });
		expect(group.posts.map((post) => [post.body, post.place])).toEqual(
			expect.arrayContaining([
				[words.adaPost, 'board'],
				[words.adaInsight, 'board'],
				[words.adaReply, 'board'],
				[words.adaArchived, 'archive']
			])
		);
		const insight = group.posts.find((post) => post.id === ids.adaInsight)!;
		expect(insight).toMatchObject({ kind: 'insight', prompt: 'What I want to remember' });
		expect(insight.session).toMatchObject({ id: sessionId, label: 'Journey 1' });
		expect(group.posts.find((post) => post.id === ids.adaReply)?.replyTo).toBe(ids.beaPost);

		expect(group.roundAnswers).toEqual([
			expect.objectContaining({
				roundId: ids.round,
				prompt: 'How are you arriving?',
				scale: { min: 1, max: 10, label: 'Arriving' },
				answer: expect.objectContaining({ scale: 6, body: words.adaAnswer, passed: false })
			})
		]);
		expect(group.reactions).toEqual([expect.objectContaining({ postId: ids.beaPost, kind: 'metoo', place: 'board' })]);
		expect(group.signatures).toEqual([
			expect.objectContaining({ agreementVersion: 1, typedName: 'Ada', agreementKind: 'program' })
		]);
		expect(group.careThread?.entries.map((entry) => [entry.body, entry.authorName, entry.byYou]).sort()).toEqual([
			[words.adaCare, 'Ada', true],
			[words.robinCare, 'Robin', false]
		]);
		expect(data.journal.map((post) => [post.kind, post.body]).sort()).toEqual([
			['intention', words.adaIntention],
			['note', words.adaNote],
			['post', words.adaJournal]
		]);
	});

	it('never holds other members’ words, facilitators’ notes or the password hash', async () => {
		expect.hasAssertions();
		const [{ passwordHash }] = await connection.db
			.select({ passwordHash: user.passwordHash })
			.from(user)
			.where(eq(user.id, ada.userId));
		for (const format of ['json', 'html'] as const) {
			const { body } = await exportAs(ada, format);
			for (const text of [...beaWords, 'staff note', passwordHash, '$argon2']) expect(body).not.toContain(text);
			// Bea's reaction to Ada's post is Bea's doing, not Ada's.
			expect(body).not.toContain(bea.userId);
		}
	});

	it('escapes what people typed on the printable page, which runs nothing', async () => {
		expect.hasAssertions();
		const file = await exportAs(ada, 'html');
		expect(file.filename).toMatch(/^hearth-export-\d{4}-\d{2}-\d{2}\.html$/);
		expect(file.body).toContain('the ocean came back to me &lt;script&gt;alert(1)&lt;/script&gt;');
		expect(file.body).not.toMatch(/<script/i);
		expect(file.body).toContain(words.adaCare.replace("'", '&#39;'));
	});

	it('is a download with no-store and a dated file name, from a POST with the password', async () => {
		expect.hasAssertions();
		const response = (await postMyExport(
			eventFor(ada, '/account/export', { password: PASSWORD, format: 'json' })
		)) as Response;
		expect(response.headers.get('content-disposition')).toMatch(
			/^attachment; filename="hearth-export-\d{4}-\d{2}-\d{2}\.json"$/
		);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(((await response.json()) as MemberExport).account.id).toBe(ada.userId);
	});

	it('refuses a wrong password, exports and records nothing, and counts it as a failed sign-in', async () => {
		expect.hasAssertions();
		const before = (await auditRows('data.exported', bea.userId)).length;
		await expect(
			exportMyData({ userId: bea.userId, password: 'not my password', address: uniqueAddress(), format: 'json' })
		).rejects.toThrow(ExportError);
		expect(await auditRows('data.exported', bea.userId)).toHaveLength(before);
		const failures = await connection.db.select().from(auditEvent).where(eq(auditEvent.action, 'auth.sign_in_failed'));
		expect(failures.some((row) => row.detail?.via === 'export')).toBe(true);

		// Through the endpoint: back to the form with a code, no file.
		const refused = await statusOf(
			postMyExport(eventFor(bea, '/account/export', { password: 'not my password', format: 'json' }))
		);
		expect(refused).toBe(303);
		expect(await auditRows('data.exported', bea.userId)).toHaveLength(before);
	});

	it('is audited as data.exported with its format and nothing of its content', async () => {
		expect.hasAssertions();
		await exportAs(bea, 'html');
		const rows = await auditRows('data.exported', bea.userId);
		expect(rows.at(-1)).toMatchObject({ objectType: 'user', objectId: bea.userId, detail: { format: 'html' } });
		const logged = JSON.stringify(rows);
		for (const text of [...beaWords, 'Bea', PASSWORD]) expect(logged).not.toContain(text);
	});
});

describe('a group’s record', () => {
	it('holds the group, members, sessions, signatures and every board post with its author, archives included', async () => {
		expect.hasAssertions();
		const file = await exportGroupRecord({
			groupId,
			actorId: robin.userId,
			password: PASSWORD,
			address: uniqueAddress(),
			format: 'json'
		});
		const data = JSON.parse(file.body) as GroupRecord;
		expect(data.group).toMatchObject({ id: groupId, name: 'Thursday circle' });
		expect(data.members.map((m) => [m.displayName, m.role])).toEqual(
			expect.arrayContaining([
				['Robin', 'facilitator'],
				['Ada', 'member'],
				['Bea', 'member']
			])
		);
		expect(data.sessions.map((s) => s.label)).toEqual(['Journey 1']);
		expect(data.signatures.map((s) => s.displayName).sort()).toEqual(['Ada', 'Bea']);
		expect(data.posts.map((post) => [post.authorName, post.body, post.place])).toEqual(
			expect.arrayContaining([
				['Bea', words.beaPost, 'board'],
				['Ada', words.adaArchived, 'archive'],
				['Bea', words.beaArchived, 'archive']
			])
		);
		// Care threads, journals and the staff space are not the group's record.
		for (const text of [words.adaCare, words.robinCare, words.adaJournal, words.beaJournal, 'staff note'])
			expect(file.body).not.toContain(text);
		const rows = await auditRows('group.exported', robin.userId);
		expect(rows.at(-1)).toMatchObject({ groupId, objectId: groupId, detail: { format: 'json' } });
		expect(JSON.stringify(rows)).not.toContain(words.beaPost);
	});

	it('is refused to a member and to a facilitator of another group, whatever the password', async () => {
		expect.hasAssertions();
		const other = await createPerson('Sage', 'staff');
		await setPassword(other, PASSWORD);
		await groups.createGroup(other);
		for (const person of [ada, other]) {
			const status = await statusOf(
				postGroupExport(
					eventFor(person, `/groups/${groupId}/export`, { password: PASSWORD, format: 'json' }, { groupId })
				)
			);
			expect(status).toBe(404);
			expect(await auditRows('group.exported', person.userId)).toHaveLength(0);
		}
	});

	it('is a download for the group’s facilitator, and a wrong password sends them back with nothing', async () => {
		expect.hasAssertions();
		const response = (await postGroupExport(
			eventFor(robin, `/groups/${groupId}/export`, { password: PASSWORD, format: 'html' }, { groupId })
		)) as Response;
		expect(response.headers.get('content-type')).toContain('text/html');
		expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
		expect(await response.text()).toContain('Bea: something only the group should read.');
		const before = (await auditRows('group.exported', robin.userId)).length;
		expect(
			await statusOf(
				postGroupExport(
					eventFor(robin, `/groups/${groupId}/export`, { password: 'wrong', format: 'json' }, { groupId })
				)
			)
		).toBe(303);
		expect(await auditRows('group.exported', robin.userId)).toHaveLength(before);
	});
});
