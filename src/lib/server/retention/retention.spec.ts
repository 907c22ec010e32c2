// The retention purge against a real PostgreSQL and the real realtime server. One unique phrase is put
// in a post, a reply, an archive, a journal entry written for the group's session, a post held for it
// in a cool-off, a care thread, an
// urgent message, a flag's reason and an invitation's note; once the ended group's time has passed it is
// in no row of any table and no stored update or snapshot once decrypted, while another group's words
// and the member's own journal entry stay. A group not ended, within its time, or on hold is untouched;
// lifting the hold lets the purge run; a purge cut short is finished by the next sweep; two sweeps at
// once purge once. Only the admin sets the time and the holds; bad values change nothing.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { isHttpError } from '@sveltejs/kit';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	archiveDocumentName,
	careDocumentName,
	groupDocumentName,
	journalDocumentName
} from '$lib/board/document-names';
import { holdPost } from '$lib/board/cool-off';
import { createPost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { generateId } from '$lib/server/db/ids';
import { auditEvent, group, groupMember, groupRetention, practiceSetting, programSession } from '$lib/server/db/schema';
import { getGroupAccess } from '$lib/server/groups/access';
import { changeLifecycle, listGroupsForUser } from '$lib/server/groups/groups';
import { createInvitation } from '$lib/server/invitations';
import { flagPost } from '$lib/server/moderation/flags';
import { changeDocument } from '$lib/server/realtime/server-writes';
import { sendUrgentMessage } from '$lib/server/support/urgent';
import { createRequestEvent, uniqueAddress } from '$test/request-events';
import { TEST_DATA_KEY, TestClient, createPerson, startRealtimeCircle, type Person } from '$test/realtime';
import { findInDatabase } from '$test/find-in-database';
import * as adminPage from '../../../routes/(app)/admin/retention/+page.server';
import * as agreementPage from '../../../routes/(app)/groups/[groupId]/agreement/+page.server';
import * as groupPage from '../../../routes/(app)/groups/[groupId]/+page.server';
import {
	DEFAULT_RETENTION_MONTHS,
	RetentionRuleError,
	getRetentionMonths,
	getRetentionNotice,
	liftLegalHold,
	setLegalHold,
	setRetentionMonths,
	sweepRetention
} from '.';

const PHRASE = `ember-${Math.random().toString(36).slice(2, 10)}`;
const OTHER = `willow-${Math.random().toString(36).slice(2, 10)}`;
const OWN = `pebble-${Math.random().toString(36).slice(2, 10)}`;
const MONTH = 31 * 24 * 60 * 60 * 1000;

const circle = await startRealtimeCircle({ members: ['Ada', 'Bea'] });
const { server, groups, facilitator: robin, groupId } = circle;
const [ada, bea] = circle.members;
const admin = await createPerson('Ari', 'staff');
await connection.db.execute(sql`update "user" set role = 'admin' where id = ${admin.userId}`);

/** A page's request as `person` would send it: signed in, the form in a POST body. */
function eventFor(person: Person, role: 'admin' | 'staff' | 'member', form: Record<string, string> | null = null) {
	const base = createRequestEvent({
		path: '/admin/retention',
		address: uniqueAddress(),
		locals: {
			user: { id: person.userId, email: `${person.userId}@example.org`, displayName: person.name, role },
			session: null
		}
	});
	if (!form) return base as never;
	const body = new FormData();
	for (const [name, value] of Object.entries(form)) body.set(name, value);
	return { ...base, request: new Request(base.url, { method: 'POST', body }) } as never;
}

async function statusOf(attempt: unknown): Promise<number | string> {
	return Promise.resolve(attempt).then(
		(result) => (result as { status?: number })?.status ?? 'answered',
		(e: unknown) => (isHttpError(e) ? e.status : String(e))
	);
}

async function endGroup(id: string) {
	for (const to of ['active', 'alumni', 'archived']) await changeLifecycle({ groupId: id, actorId: robin.userId, to });
}

async function purgedCount(id: string): Promise<number> {
	const rows = await connection.db
		.select()
		.from(auditEvent)
		.where(and(eq(auditEvent.action, 'retention.purged'), eq(auditEvent.objectId, id)));
	return rows.length;
}

async function retentionOf(id: string) {
	const [row] = await connection.db.select().from(groupRetention).where(eq(groupRetention.groupId, id));
	return row ?? null;
}

/** Long after any retention time Hearth allows. */
const farFuture = () => new Date(Date.now() + 400 * 12 * MONTH);

let otherGroupId = '';
const sessionId = generateId();

beforeAll(async () => {
	await connection.db
		.insert(programSession)
		.values({ id: sessionId, groupId, kind: 'journey', number: 1, startsAt: new Date(), state: 'done' });
	await createInvitation({
		groupId,
		actorId: robin.userId,
		email: '',
		note: `For ${PHRASE}`,
		origin: 'http://127.0.0.1'
	});
	let postId = '';
	await changeDocument(groupDocumentName(groupId), (doc) => {
		postId = createPost(doc, { authorId: ada.userId, body: `A post ${PHRASE}` });
		createPost(doc, { authorId: bea.userId, body: `A reply ${PHRASE}`, parentId: postId });
	});
	await changeDocument(archiveDocumentName(groupId, '2026q1'), (doc) => {
		createPost(doc, { authorId: ada.userId, body: `Archived ${PHRASE}` });
	});
	await changeDocument(journalDocumentName(ada.userId), (doc) => {
		createPost(doc, { authorId: ada.userId, body: `Quiet note ${PHRASE}`, kind: 'note', sessionId });
		createPost(doc, { authorId: ada.userId, body: `My own ${OWN}` });
		holdPost(doc, { groupId, body: `Held in a cool-off ${PHRASE}` });
	});
	await changeDocument(careDocumentName(groupId, ada.userId), (doc) => {
		createPost(doc, { authorId: ada.userId, body: `Care ${PHRASE}` });
	});
	await sendUrgentMessage({ groupId, userId: bea.userId, body: `Urgent ${PHRASE}` });
	await flagPost({ groupId, userId: bea.userId, postId, reason: `Worried ${PHRASE}` });

	otherGroupId = await groups.createGroup(robin);
	await groups.add(otherGroupId, bea, robin);
	await changeDocument(groupDocumentName(otherGroupId), (doc) => {
		createPost(doc, { authorId: bea.userId, body: `Elsewhere ${OTHER}` });
	});
	// Control: the search finds the phrase where it was put.
	expect((await findInDatabase(PHRASE)).length).toBeGreaterThanOrEqual(6);
}, 60_000);

describe('who may set the retention time and holds', () => {
	it('answers 404 to staff and members, on the page and its actions, and changes nothing', async () => {
		for (const [person, role] of [
			[robin, 'staff'],
			[ada, 'member']
		] as const) {
			expect(await statusOf(adminPage.load(eventFor(person, role)))).toBe(404);
			expect(await statusOf(adminPage.actions.save(eventFor(person, role, { months: '12' })))).toBe(404);
			expect(await statusOf(adminPage.actions.hold(eventFor(person, role, { groupId, reason: 'mine' })))).toBe(404);
			expect(await statusOf(adminPage.actions.lift(eventFor(person, role, { groupId })))).toBe(404);
		}
		// The domain refuses them too, whoever calls it.
		await expect(setLegalHold({ actorId: robin.userId, groupId, reason: 'mine' })).rejects.toThrow('Not found');
		await expect(setRetentionMonths({ actorId: robin.userId, months: 12 })).rejects.toThrow('Not found');
		expect(await getRetentionMonths()).toBe(DEFAULT_RETENTION_MONTHS);
		expect(await retentionOf(groupId)).toBeNull();
	});

	it('refuses months out of range or not whole, a hold without a reason, and a group that does not exist', async () => {
		for (const months of ['0', '2', '361', 'twelve', '12.5', '']) {
			const refused = await adminPage.actions.save(eventFor(admin, 'admin', { months }));
			expect(refused).toMatchObject({ status: 400, data: { message: expect.stringContaining('months') } });
		}
		expect(await adminPage.actions.hold(eventFor(admin, 'admin', { groupId, reason: '  ' }))).toMatchObject({
			status: 400
		});
		expect(
			await statusOf(adminPage.actions.hold(eventFor(admin, 'admin', { groupId: generateId(), reason: 'A request' })))
		).toBe(404);
		expect(await adminPage.actions.lift(eventFor(admin, 'admin', { groupId }))).toMatchObject({
			status: 400,
			data: { message: 'This group is not on hold.' }
		});
		expect(await getRetentionMonths()).toBe(DEFAULT_RETENTION_MONTHS);
		const [setting] = await connection.db.select().from(practiceSetting).where(eq(practiceSetting.key, 'retention'));
		expect(setting).toBeUndefined();
		expect((await retentionOf(groupId))?.holdSince ?? null).toBeNull();
	});

	it('lets the admin set the time, audited with the old and new value', async () => {
		expect(await adminPage.actions.save(eventFor(admin, 'admin', { months: '12' }))).toMatchObject({ action: 'save' });
		expect(await getRetentionMonths()).toBe(12);
		const [changed] = await connection.db.select().from(auditEvent).where(eq(auditEvent.action, 'retention.changed'));
		expect(changed).toMatchObject({ actorId: admin.userId, detail: { from_months: 84, to_months: 12 } });
	});
});

describe('the purge', () => {
	it('leaves a group that has not ended alone, however late', async () => {
		expect(await sweepRetention(farFuture())).toEqual([]);
		expect((await findInDatabase(PHRASE)).length).toBeGreaterThanOrEqual(6);
	});

	it('leaves an ended group alone within its time, and tells members in its last 30 days', async () => {
		await endGroup(groupId);
		expect(await sweepRetention(new Date(Date.now() + 11 * MONTH))).toEqual([]);
		expect((await getRetentionNotice(groupId, new Date()))?.deletesAt).toBeNull();
		const notice = await getRetentionNotice(groupId, new Date(Date.now() + 12 * MONTH - 10 * 24 * 3_600_000));
		expect(notice?.deletesAt).toBeInstanceOf(Date);
	});

	it('says it on the pages: how long on the agreement page, and the date on the group page in the last 30 days', async () => {
		const asRobin = () => ({ ...(eventFor(robin, 'staff') as object), params: { groupId } }) as never;
		expect(await agreementPage.load(asRobin())).toMatchObject({ retention: { keptFor: '1 year', deletesOn: null } });
		expect(await groupPage.load(asRobin())).toMatchObject({ deletesOn: null });
		// The group ended eleven months and a half ago: the date shows (in the group's time zone).
		const ended = new Date(Date.now() - 12 * MONTH + 15 * 24 * 3_600_000);
		await connection.db.update(group).set({ lifecycleChangedAt: ended }).where(eq(group.id, groupId));
		const shown = (await groupPage.load(asRobin())) as { deletesOn: string | null };
		expect(shown.deletesOn).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);
		expect(await agreementPage.load(asRobin())).toMatchObject({ retention: { deletesOn: shown.deletesOn } });
		// Reading the pages changed nothing.
		expect(await retentionOf(groupId)).toBeNull();
	});

	it('purges nothing while a legal hold stands, however late', async () => {
		expect(
			await adminPage.actions.hold(eventFor(admin, 'admin', { groupId, reason: 'Records request 7' }))
		).toMatchObject({ action: 'hold' });
		await expect(setLegalHold({ actorId: admin.userId, groupId, reason: 'again' })).rejects.toThrow(RetentionRuleError);
		expect(await sweepRetention(farFuture())).toEqual([]);
		expect((await getRetentionNotice(groupId, farFuture()))?.deletesAt).toBeNull();
		expect((await findInDatabase(PHRASE)).length).toBeGreaterThanOrEqual(6);
		const [held] = await connection.db.select().from(auditEvent).where(eq(auditEvent.action, 'retention.hold_set'));
		expect(held).toMatchObject({ actorId: admin.userId, objectId: groupId });
		expect(JSON.stringify(held)).not.toContain('Records request');
	});

	it('once the hold is lifted, a purge cut short mid-way is finished by the next sweep', async () => {
		await liftLegalHold({ actorId: admin.userId, groupId });
		const robinBoard = new TestClient(server, groupDocumentName(groupId), { person: robin });
		await robinBoard.waitForSync();
		try {
			await expect(
				sweepRetention(farFuture(), {
					beforePurgeCommit: async () => {
						throw new Error('the process died');
					}
				})
			).rejects.toThrow('the process died');
			// Access ended at the first step: the open board closed, and no hold can stop it now.
			expect([4403, 4404]).toContain(await robinBoard.waitForClose());
			expect(await getGroupAccess(robin.userId, groupId)).toBeNull();
			await expect(setLegalHold({ actorId: admin.userId, groupId, reason: 'too late' })).rejects.toThrow(
				'already been deleted'
			);
			expect((await retentionOf(groupId))?.purgedAt).toBeNull();
			expect(await purgedCount(groupId)).toBe(0);

			// The documents and journal entry went in the run cut short; the rows go now.
			const [report] = await sweepRetention(farFuture());
			expect(report).toMatchObject({ groupId, documents: 0, journalEntries: 0, memberships: 2 });
		} finally {
			robinBoard.destroy();
		}
		expect(await purgedCount(groupId)).toBe(1);
		expect((await retentionOf(groupId))?.purgedAt).toBeInstanceOf(Date);
	}, 60_000);

	it('leaves the phrase in no table and no stored document, and keeps another group and the member’s own journal', async () => {
		expect(await findInDatabase(PHRASE)).toEqual([]);
		expect(await findInDatabase(OTHER)).toEqual([`document ${groupDocumentName(otherGroupId)}`]);
		expect(await findInDatabase(OWN)).toEqual([`document ${journalDocumentName(ada.userId)}`]);

		// No table holds a row of the group but the few kept on purpose (a table added later is checked too).
		const tables = (await connection.db.execute(sql`
			select table_name from information_schema.columns
			where column_name = 'group_id' and table_schema = 'public'`)) as unknown as { table_name: string }[];
		const left: string[] = [];
		for (const { table_name } of tables) {
			const [row] = (await connection.db.execute(
				sql`select count(*)::int as n from ${sql.identifier(table_name)} where group_id = ${groupId}`
			)) as unknown as { n: number }[];
			if (row.n > 0) left.push(table_name);
		}
		expect(left.sort()).toEqual(['audit_event', 'group_member', 'group_retention']);
		const memberships = await connection.db.select().from(groupMember).where(eq(groupMember.groupId, groupId));
		expect(memberships.map((m) => m.userId)).toEqual([robin.userId]);

		// Accounts stay; Bea's other group is hers as before; the facilitator's list says what happened.
		expect(await getGroupAccess(bea.userId, otherGroupId)).toMatchObject({ role: 'member' });
		const [listed] = (await listGroupsForUser(robin.userId)).filter((g) => g.id === groupId);
		expect(listed.recordsDeleted?.on).toBeInstanceOf(Date);
		const [kept] = await connection.db.select().from(group).where(eq(group.id, groupId));
		expect(kept.name).toBe('Thursday circle');
		const [purged] = await connection.db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, 'retention.purged'), eq(auditEvent.objectId, groupId)));
		expect(purged).toMatchObject({ actorId: null, detail: { memberships: 2 } });
	});

	it('purges once when two sweeps run at once', async () => {
		const third = await groups.createGroup(robin);
		await changeDocument(groupDocumentName(third), (doc) => {
			createPost(doc, { authorId: robin.userId, body: `Third ${PHRASE}` });
		});
		await endGroup(third);
		const runs = await Promise.all([sweepRetention(farFuture()), sweepRetention(farFuture())]);
		const reports = runs.flat().filter((report) => report.groupId === third);
		expect(reports).toHaveLength(1);
		expect(reports[0].documents).toBe(1);
		expect(await purgedCount(third)).toBe(1);
		expect(await findInDatabase(PHRASE)).toEqual([]);
		// And a later sweep finds nothing more to do.
		expect(await sweepRetention(farFuture())).toEqual([]);
		expect(await findInDatabase(OTHER)).toHaveLength(1);
	}, 60_000);

	it('a second process running `npm run retention:purge` at the same moment waits, then finds it done', async () => {
		const fourth = await groups.createGroup(robin);
		await changeDocument(groupDocumentName(fourth), (doc) => {
			createPost(doc, { authorId: robin.userId, body: `Fourth ${PHRASE}` });
		});
		await endGroup(fourth);
		// Ended long ago, so the script (which sweeps at its own "now") finds it due too.
		await connection.db
			.update(group)
			.set({ lifecycleChangedAt: new Date(Date.now() - 24 * MONTH) })
			.where(eq(group.id, fourth));
		let output = '';
		let script: Promise<number | null> | undefined;
		const reports = await sweepRetention(new Date(), {
			// Mid-purge, holding the group: the other process starts and must wait for this one.
			beforePurgeCommit: async () => {
				const child = spawn(process.execPath, [path.resolve('scripts/retention-purge.js')], {
					env: { ...process.env, HEARTH_DATA_KEY: TEST_DATA_KEY, NODE_ENV: 'test' },
					stdio: ['ignore', 'pipe', 'pipe']
				});
				child.stdout.on('data', (chunk) => (output += chunk));
				child.stderr.on('data', (chunk) => (output += chunk));
				script = new Promise((resolve) => child.on('exit', resolve));
				for (let waited = 0; ; waited += 100) {
					const [waiting] = (await connection.db.execute(sql`
						select count(*)::int as n from pg_stat_activity
						where datname = current_database() and wait_event_type = 'Lock' and query like '%group_retention%'`)) as unknown as {
						n: number;
					}[];
					if (waiting.n > 0) break;
					if (waited > 60_000) throw new Error(`The other process never reached the group:\n${output}`);
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
			}
		});
		expect(reports.map((report) => report.groupId)).toEqual([fourth]);
		expect(await script).toBe(0);
		expect(output).toContain('No ended group is due for deletion.');
		expect(output).not.toContain(PHRASE);
		expect(output).not.toContain('Thursday circle');
		expect(await purgedCount(fourth)).toBe(1);
		expect(await findInDatabase(PHRASE)).toEqual([]);
	}, 120_000);
});
