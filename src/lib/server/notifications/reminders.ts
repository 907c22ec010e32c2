// "A session is starting soon": run by the queue's cron (queue.ts) every few minutes, in whichever process
// takes the job. Each person is told once per session (a unique index on the notification rows), so
// overlapping runs, several processes and restarts never tell anyone twice.
import { and, eq, gt, lte } from 'drizzle-orm';
import { db } from '../db';
import { groupMember, programSession } from '../db/schema';
import { notify } from './notifications';

/** How long before a session its members and facilitators are told. */
export const SOON_MS = 3 * 60 * 60 * 1000;

/** Tells the members and facilitators of each session starting within SOON_MS of `now`; returns how many were told. */
export async function remindSessionsStartingSoon(now = new Date()): Promise<number> {
	const sessions = await db
		.select({ id: programSession.id, groupId: programSession.groupId })
		.from(programSession)
		.where(
			and(
				eq(programSession.state, 'upcoming'),
				gt(programSession.startsAt, now),
				lte(programSession.startsAt, new Date(now.getTime() + SOON_MS))
			)
		);
	let told = 0;
	for (const session of sessions) {
		const people = await db
			.select({ userId: groupMember.userId })
			.from(groupMember)
			.where(and(eq(groupMember.groupId, session.groupId), eq(groupMember.status, 'active')));
		const recipients = await notify(
			people.map((person) => person.userId),
			'session_soon',
			session.groupId,
			{ space: 'group', targetId: session.id }
		);
		told += recipients.length;
	}
	return told;
}
