// The calendar feed: what a real iCalendar parser reads from it, that it follows the schedule, and that its
// secret link is the only key (replaced or turned off links answer 404; each link shows only its person's groups).
import { afterAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { connection } from '$lib/server/db';
import {
	createCalendarLink,
	getCalendarSettings,
	renderCalendarFeed,
	revokeCalendarLink,
	setCalendarNames
} from '$lib/server/calendar';
import { removeMember } from '$lib/server/groups/membership';
import { listSessions, updateSession } from '$lib/server/schedule/program';
import { toZonedDateTime } from '$lib/server/schedule/zoned-time';
import { GET } from '../../src/routes/calendar/[token].ics/+server';
import { ORIGIN, expectNoPersonalTextInAudit, joinGroup, makeGroup, personal, readAudit } from './groups-fixtures';

afterAll(() => connection.close());

function tokenOfCalendarLink(link: string): string {
	expect(link).toMatch(new RegExp(`^${ORIGIN}/calendar/[a-z2-7]{32}\\.ics$`));
	return link.slice(link.lastIndexOf('/') + 1, -'.ics'.length);
}

/** The feed as a calendar app reads it: each event's uid, title and start instant. */
async function readFeed(token: string) {
	const text = await renderCalendarFeed(token);
	if (text === null) return null;
	const calendar = new ICAL.Component(ICAL.parse(text));
	return {
		text,
		events: calendar.getAllSubcomponents('vevent').map((component) => {
			const event = new ICAL.Event(component);
			return {
				uid: event.uid,
				summary: event.summary,
				start: event.startDate.toJSDate(),
				minutes: (event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime()) / 60_000
			};
		})
	};
}

async function fetchFeed(token: string): Promise<Response> {
	const url = new URL(`${ORIGIN}/calendar/${token}.ics`);
	try {
		return await GET({ params: { token }, url } as Parameters<typeof GET>[0]);
	} catch (e) {
		// SvelteKit's error(404) throws an HttpError; answer it as the server would.
		const status = (e as { status?: number }).status;
		if (status) return new Response(null, { status });
		throw e;
	}
}

describe('the calendar feed', () => {
	it('lists the group sessions under a neutral title at the right instants, across a DST change', async () => {
		const { group: circle, facilitator } = await makeGroup();
		const juniper = await joinGroup(circle.id, facilitator.id);

		const link = await createCalendarLink({ userId: juniper.id, origin: ORIGIN });
		const feed = (await readFeed(tokenOfCalendarLink(link)))!;

		const sessions = await listSessions(circle.id);
		expect(feed.events.map((e) => e.uid)).toEqual(sessions.map((s) => `${s.id}@hearth`));
		expect(feed.events.every((e) => e.summary === 'Hearth session' && e.minutes === 120)).toBe(true);
		// Berlin moves to summer time on 2030-03-31: the instants shift by an hour, the wall clock stays 18:30.
		expect(feed.events.map((e) => e.start.toISOString().slice(0, 16))).toEqual([
			'2030-03-05T17:30',
			'2030-03-12T17:30',
			'2030-03-19T17:30',
			'2030-03-26T17:30',
			'2030-04-02T16:30',
			'2030-04-09T16:30',
			'2030-04-16T16:30'
		]);
		expect(feed.events.every((e) => toZonedDateTime(e.start, 'Europe/Berlin').time === '18:30')).toBe(true);
		for (const secret of [personal.groupName, personal.memberName, personal.staffName, 'Journey', 'Thursday']) {
			expect(feed.text).not.toContain(secret);
		}
	});

	it('follows a schedule change: the moved session keeps its uid and shows the new time', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		const token = tokenOfCalendarLink(await createCalendarLink({ userId: member.id, origin: ORIGIN }));
		const journey = (await listSessions(group.id))[2];

		await updateSession({
			groupId: group.id,
			actorId: facilitator.id,
			sessionId: journey.id,
			date: '2030-03-20',
			time: '10:00',
			state: 'upcoming'
		});

		const moved = (await readFeed(token))!.events.find((e) => e.uid === `${journey.id}@hearth`);
		expect(moved?.start.toISOString()).toBe('2030-03-20T09:00:00.000Z');
	});

	it("shows each person only their own groups, and a removed member's feed no longer lists the group", async () => {
		const first = await makeGroup();
		const second = await makeGroup();
		const inFirst = await joinGroup(first.group.id, first.facilitator.id);
		const inSecond = await joinGroup(second.group.id, second.facilitator.id);
		const firstUids = (await listSessions(first.group.id)).map((s) => `${s.id}@hearth`);
		const secondUids = (await listSessions(second.group.id)).map((s) => `${s.id}@hearth`);
		const firstToken = tokenOfCalendarLink(await createCalendarLink({ userId: inFirst.id, origin: ORIGIN }));
		const secondToken = tokenOfCalendarLink(await createCalendarLink({ userId: inSecond.id, origin: ORIGIN }));
		const facilitatorToken = tokenOfCalendarLink(
			await createCalendarLink({ userId: first.facilitator.id, origin: ORIGIN })
		);

		expect((await readFeed(firstToken))!.events.map((e) => e.uid)).toEqual(firstUids);
		expect((await readFeed(secondToken))!.events.map((e) => e.uid)).toEqual(secondUids);
		expect((await readFeed(facilitatorToken))!.events.map((e) => e.uid)).toEqual(firstUids);

		await removeMember({ groupId: first.group.id, actorId: first.facilitator.id, userId: inFirst.id });

		const afterRemoval = await readFeed(firstToken);
		expect(afterRemoval).not.toBeNull();
		expect(afterRemoval!.events).toEqual([]);
		expect((await readFeed(facilitatorToken))!.events.map((e) => e.uid)).toEqual(firstUids);
	});

	it('answers 404 for a replaced, a turned-off and a made-up link, over HTTP too, without a session', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		const oldToken = tokenOfCalendarLink(await createCalendarLink({ userId: member.id, origin: ORIGIN }));
		const newToken = tokenOfCalendarLink(await createCalendarLink({ userId: member.id, origin: ORIGIN }));

		expect(oldToken).not.toBe(newToken);
		expect(await renderCalendarFeed(oldToken)).toBeNull();
		expect((await fetchFeed(oldToken)).status).toBe(404);
		const live = await fetchFeed(newToken);
		expect(live.status).toBe(200);
		expect(live.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		expect(await live.text()).toContain('BEGIN:VEVENT');

		await revokeCalendarLink(member.id);
		expect((await fetchFeed(newToken)).status).toBe(404);
		expect((await fetchFeed('a'.repeat(32))).status).toBe(404);
		expect(await getCalendarSettings(member.id)).toEqual({ on: false, showGroupNames: false });
	});

	it('names groups and sessions only for a person who opts in, and audits every change without the link', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		expect(await setCalendarNames({ userId: member.id, showGroupNames: true })).toBe(false);
		const token = tokenOfCalendarLink(await createCalendarLink({ userId: member.id, origin: ORIGIN }));

		expect(await setCalendarNames({ userId: member.id, showGroupNames: true })).toBe(true);
		const named = (await readFeed(token))!.events.map((e) => e.summary);
		expect(named[2]).toBe(`${personal.groupName} · Journey 1`);

		await setCalendarNames({ userId: member.id, showGroupNames: false });
		expect((await readFeed(token))!.events.every((e) => e.summary === 'Hearth session')).toBe(true);
		await revokeCalendarLink(member.id);

		const mine = (await readAudit()).filter((row) => row.actorId === member.id && row.action.startsWith('calendar.'));
		expect(mine.map((row) => [row.action, row.detail])).toEqual([
			['calendar.link_created', { replaced: false }],
			['calendar.names_changed', { show_group_names: true }],
			['calendar.names_changed', { show_group_names: false }],
			['calendar.link_revoked', null]
		]);
		await expectNoPersonalTextInAudit([token]);
	});
});
