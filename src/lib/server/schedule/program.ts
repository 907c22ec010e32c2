import { and, asc, eq, sql } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import {
	group,
	programSession,
	type ProgramSession,
	type ProgramSessionKind,
	type ProgramSessionState
} from '../db/schema';
import { archiveDocumentName } from '$lib/board/document-names';
import { announceAccessChange } from '../access-events';
import { recordAudit } from '../audit';
import { GroupRuleError, NotInGroupError } from '../groups/errors';
import { checkInput } from '../forms';
import { listStoredDocuments } from '../realtime/storage';
import { intervalDays, sessionKind, sessionState } from './forms';
import { addDays, formatSessionTime, fromZonedDateTime, toZonedDateTime } from './zoned-time';

/** The standard KAP program: two preparation sessions, four journeys, one integration session. */
export const STANDARD_PROGRAM: { kind: ProgramSessionKind; number: number }[] = [
	{ kind: 'preparation', number: 1 },
	{ kind: 'preparation', number: 2 },
	{ kind: 'journey', number: 1 },
	{ kind: 'journey', number: 2 },
	{ kind: 'journey', number: 3 },
	{ kind: 'journey', number: 4 },
	{ kind: 'integration', number: 1 }
];

const KIND_LABELS: Record<ProgramSessionKind, string> = {
	preparation: 'Preparation',
	journey: 'Journey',
	integration: 'Integration',
	alumni: 'Alumni gathering'
};

export const STATE_LABELS: Record<ProgramSessionState, string> = {
	upcoming: 'Upcoming',
	in_progress: 'In progress',
	done: 'Done'
};

export function describeSession(session: Pick<ProgramSession, 'kind' | 'number'>): string {
	return `${KIND_LABELS[session.kind]} ${session.number}`;
}

const toRuleError = (message: string) => new GroupRuleError(message);

export interface ProgramStart {
	/** YYYY-MM-DD and HH:MM of the first session, in the group's zone. */
	firstDate: string;
	time: string;
	/** Days between sessions; the facilitator adjusts single dates afterwards. */
	intervalDays: number;
}

/** The standard program's sessions at a regular rhythm, as instants. */
export function planStandardProgram(start: ProgramStart, timeZone: string) {
	const days = checkInput(intervalDays, start.intervalDays, toRuleError);
	return STANDARD_PROGRAM.map((session, index) => {
		const startsAt = fromZonedDateTime(addDays(start.firstDate, index * days), start.time, timeZone);
		if (!startsAt) throw new GroupRuleError('Please give the first session a date and a time.');
		return { ...session, startsAt };
	});
}

export async function insertSessions(
	tx: Database,
	groupId: string,
	sessions: { kind: ProgramSessionKind; number: number; startsAt: Date }[]
): Promise<void> {
	if (sessions.length === 0) return;
	await tx.insert(programSession).values(sessions.map((session) => ({ id: generateId(), groupId, ...session })));
}

export async function listSessions(groupId: string): Promise<ProgramSession[]> {
	return db
		.select()
		.from(programSession)
		.where(eq(programSession.groupId, groupId))
		.orderBy(asc(programSession.startsAt), asc(programSession.id));
}

/** The session members should see first: one in progress, else the earliest not yet done. */
export function pickNextSession<T extends Pick<ProgramSession, 'state' | 'startsAt'>>(sessions: T[]): T | null {
	const sorted = [...sessions].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
	return sorted.find((s) => s.state === 'in_progress') ?? sorted.find((s) => s.state === 'upcoming') ?? null;
}

/** What a page shows of a session: labels and times already in the group's zone. */
export function presentSession(session: ProgramSession, timeZone: string) {
	return {
		id: session.id,
		kind: session.kind,
		label: describeSession(session),
		state: session.state,
		stateLabel: STATE_LABELS[session.state],
		when: formatSessionTime(session.startsAt, timeZone),
		startsAtIso: session.startsAt.toISOString(),
		...toZonedDateTime(session.startsAt, timeZone)
	};
}

async function getGroupZone(tx: Database, groupId: string): Promise<string> {
	const [row] = await tx
		.select({ timeZone: group.timeZone, lifecycle: group.lifecycle })
		.from(group)
		.where(eq(group.id, groupId))
		.for('update');
	if (!row) throw new NotInGroupError();
	if (row.lifecycle === 'archived')
		throw new GroupRuleError('This group is archived; its schedule can no longer change.');
	return row.timeZone;
}

function readInstant(date: string, time: string, timeZone: string): Date {
	const startsAt = fromZonedDateTime(date, time, timeZone);
	if (!startsAt) throw new GroupRuleError('Please give the session a valid date and time.');
	return startsAt;
}

export async function addSession(input: {
	groupId: string;
	actorId: string;
	kind: string;
	date: string;
	time: string;
}): Promise<void> {
	const kind = checkInput(sessionKind, input.kind, toRuleError);
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const startsAt = readInstant(input.date, input.time, await getGroupZone(tx, input.groupId));
		const [{ highest }] = await tx
			.select({ highest: sql<number>`coalesce(max(${programSession.number}), 0)::int` })
			.from(programSession)
			.where(and(eq(programSession.groupId, input.groupId), eq(programSession.kind, kind)));
		const id = generateId();
		await tx.insert(programSession).values({ id, groupId: input.groupId, kind, number: highest + 1, startsAt });
		await recordAudit(
			{
				action: 'schedule.changed',
				actorId: input.actorId,
				objectType: 'program_session',
				objectId: id,
				groupId: input.groupId,
				detail: { change: 'added', kind, number: highest + 1 }
			},
			tx
		);
	});
	await announceScheduleChange(input.groupId);
}

/** Moves a session and/or changes its state. The session must belong to the group, or NotInGroupError. */
export async function updateSession(input: {
	groupId: string;
	actorId: string;
	sessionId: string;
	date: string;
	time: string;
	state: string;
}): Promise<void> {
	const state = checkInput(sessionState, input.state, toRuleError);
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const startsAt = readInstant(input.date, input.time, await getGroupZone(tx, input.groupId));
		const [before] = await tx
			.select()
			.from(programSession)
			.where(and(eq(programSession.id, input.sessionId), eq(programSession.groupId, input.groupId)));
		if (!before) throw new NotInGroupError();
		const moved = before.startsAt.getTime() !== startsAt.getTime();
		const restated = before.state !== state;
		if (!moved && !restated) return;
		await tx.update(programSession).set({ startsAt, state }).where(eq(programSession.id, before.id));
		await recordAudit(
			{
				action: 'schedule.changed',
				actorId: input.actorId,
				objectType: 'program_session',
				objectId: before.id,
				groupId: input.groupId,
				detail: {
					change: moved && restated ? 'rescheduled_and_state' : moved ? 'rescheduled' : 'state',
					kind: before.kind,
					number: before.number,
					...(restated ? { state } : {})
				}
			},
			tx
		);
	});
	await announceScheduleChange(input.groupId);
}

export async function removeSession(input: { groupId: string; actorId: string; sessionId: string }): Promise<void> {
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		await getGroupZone(tx, input.groupId);
		// A finished session's threads are kept in its archive, which the board opens through the session.
		const archive = archiveDocumentName(input.groupId, input.sessionId);
		if ((await listStoredDocuments(tx, archive)).includes(archive)) {
			throw new GroupRuleError(
				'This session holds what the circle shared in it, so it stays on the schedule. You can still move its date.'
			);
		}
		const [removed] = await tx
			.delete(programSession)
			.where(and(eq(programSession.id, input.sessionId), eq(programSession.groupId, input.groupId)))
			.returning();
		if (!removed) throw new NotInGroupError();
		await recordAudit(
			{
				action: 'schedule.changed',
				actorId: input.actorId,
				objectType: 'program_session',
				objectId: removed.id,
				groupId: input.groupId,
				detail: { change: 'removed', kind: removed.kind, number: removed.number }
			},
			tx
		);
	});
	await announceScheduleChange(input.groupId);
}

/** Journey times decide the cool-off windows open connections enforce (server/cool-off): let them re-read. */
function announceScheduleChange(groupId: string): Promise<void> {
	return announceAccessChange({ kind: 'group-changed', groupId });
}
