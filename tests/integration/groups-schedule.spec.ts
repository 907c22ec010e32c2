// The program schedule: the standard program, adjustments, scoping to the group, and its audit rows.
import { afterAll, describe, expect, it } from 'vitest';
import { archiveDocumentName } from '$lib/board/document-names';
import { createPost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { changeDocument } from '$lib/server/realtime/server-writes';
import {
	addSession,
	describeSession,
	listSessions,
	pickNextSession,
	removeSession,
	updateSession
} from '$lib/server/schedule/program';
import { toZonedDateTime } from '$lib/server/schedule/zoned-time';
import { makeGroup, readAuditFor } from './groups-fixtures';

afterAll(() => connection.close());

describe('the program schedule', () => {
	it('starts with 2 preparation, 4 journey and 1 integration session, a week apart in the group zone', async () => {
		const { group } = await makeGroup();

		const sessions = await listSessions(group.id);

		expect(sessions.map(describeSession)).toEqual([
			'Preparation 1',
			'Preparation 2',
			'Journey 1',
			'Journey 2',
			'Journey 3',
			'Journey 4',
			'Integration 1'
		]);
		// 2030-03-31 is when Berlin moves to summer time: the wall-clock time stays 18:30.
		expect(sessions.map((s) => toZonedDateTime(s.startsAt, 'Europe/Berlin'))).toEqual(
			['03-05', '03-12', '03-19', '03-26', '04-02', '04-09', '04-16'].map((day) => ({
				date: `2030-${day}`,
				time: '18:30'
			}))
		);
		expect(sessions.every((s) => s.state === 'upcoming')).toBe(true);
	});

	it('moves a session, marks it done, and shows the next one first', async () => {
		const { group, facilitator } = await makeGroup();
		const [first, second] = await listSessions(group.id);

		await updateSession({
			groupId: group.id,
			actorId: facilitator.id,
			sessionId: first.id,
			date: '2030-03-06',
			time: '10:00',
			state: 'done'
		});

		const sessions = await listSessions(group.id);
		const moved = sessions.find((s) => s.id === first.id)!;
		expect(moved.startsAt.toISOString()).toBe('2030-03-06T09:00:00.000Z');
		expect(pickNextSession(sessions)?.id).toBe(second.id);
	});

	it('adds an alumni gathering and removes a session, only within the group', async () => {
		const { group, facilitator } = await makeGroup();
		const other = await makeGroup();
		const [foreign] = await listSessions(other.group.id);

		await addSession({ groupId: group.id, actorId: facilitator.id, kind: 'alumni', date: '2030-06-01', time: '17:00' });
		await expect(
			updateSession({
				groupId: group.id,
				actorId: facilitator.id,
				sessionId: foreign.id,
				date: '2030-01-01',
				time: '10:00',
				state: 'done'
			})
		).rejects.toThrow('Not found');
		await expect(removeSession({ groupId: group.id, actorId: facilitator.id, sessionId: foreign.id })).rejects.toThrow(
			'Not found'
		);

		const sessions = await listSessions(group.id);
		expect(sessions.map(describeSession)).toContain('Alumni gathering 1');
		await removeSession({ groupId: group.id, actorId: facilitator.id, sessionId: sessions[0].id });
		expect(await listSessions(group.id)).toHaveLength(7);
		expect(await listSessions(other.group.id)).toHaveLength(7);

		const changes = (await readAuditFor(group.id)).filter((r) => r.action === 'schedule.changed').map((r) => r.detail);
		expect(changes).toEqual([
			{ change: 'added', kind: 'alumni', number: 1 },
			{ change: 'removed', kind: 'preparation', number: 1 }
		]);
	});

	it('keeps a session whose threads are archived, so what was shared in it stays reachable', async () => {
		const { group, facilitator } = await makeGroup();
		const [first] = await listSessions(group.id);
		await changeDocument(archiveDocumentName(group.id, first.id), (doc) => {
			createPost(doc, { authorId: facilitator.id, body: 'Kept words' });
		});

		await expect(removeSession({ groupId: group.id, actorId: facilitator.id, sessionId: first.id })).rejects.toThrow(
			/stays on the schedule/
		);
		expect((await listSessions(group.id)).map((session) => session.id)).toContain(first.id);
	});

	it('refuses a date that does not exist', async () => {
		const { group, facilitator } = await makeGroup();
		await expect(
			addSession({ groupId: group.id, actorId: facilitator.id, kind: 'journey', date: '2030-02-30', time: '10:00' })
		).rejects.toThrow(/valid date/);
		expect(await listSessions(group.id)).toHaveLength(7);
	});
});
