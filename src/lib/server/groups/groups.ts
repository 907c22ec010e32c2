import { and, eq, inArray } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { group, groupMember, programSession, type Group, type GroupLifecycle, type ProgramSession } from '../db/schema';
import { recordAudit } from '../audit';
import { announceAccessChange } from '../access-events';
import { log } from '../log';
import { notify } from '../notifications';
import {
	insertSessions,
	pickNextSession,
	planStandardProgram,
	presentSession,
	type ProgramStart
} from '../schedule/program';
import { DEFAULT_ALUMNI_AGREEMENT, insertAgreementVersion } from './agreements';
import { getGroupStanding } from './access';
import { GroupRuleError, NotInGroupError } from './errors';
import { checkInput } from '../forms';
import { getPurgeStates } from '../retention/holds';
import { newGroupDetails } from './forms';

export const DEFAULT_CAPACITY = 6;

export const LIFECYCLE_LABELS: Record<GroupLifecycle, string> = {
	forming: 'Forming',
	active: 'In the program',
	alumni: 'Alumni',
	archived: 'Archived'
};

/** A group's stage as people would say it: once a session has begun, a group is no longer "Forming". */
export function describeStage(lifecycle: GroupLifecycle, sessions: Pick<ProgramSession, 'state'>[]): string {
	if (lifecycle === 'forming' && sessions.some((session) => session.state !== 'upcoming'))
		return LIFECYCLE_LABELS.active;
	return LIFECYCLE_LABELS[lifecycle];
}

/**
 * The session the home screens lead with: the program's next one; in alumni time only an alumni
 * meeting (the program is history); none once the group is archived.
 */
export function pickShownSession<T extends Pick<ProgramSession, 'state' | 'startsAt' | 'kind'>>(
	lifecycle: GroupLifecycle,
	sessions: T[]
): T | null {
	if (lifecycle === 'archived') return null;
	return pickNextSession(lifecycle === 'alumni' ? sessions.filter((session) => session.kind === 'alumni') : sessions);
}

/** The only moves a group makes: forward, one step at a time. */
export const NEXT_LIFECYCLE: Record<GroupLifecycle, GroupLifecycle | null> = {
	forming: 'active',
	active: 'alumni',
	alumni: 'archived',
	archived: null
};

export interface NewGroup {
	creatorId: string;
	creatorKind: string;
	name: string;
	description: string;
	capacity: number;
	timeZone: string;
	agreementBody: string;
	/** The standard program's start, or null to begin with an empty schedule. */
	program: ProgramStart | null;
}

/** Creates a group with its creator as facilitator, agreement version 1 and (optionally) the standard program. */
export async function createGroup(input: NewGroup): Promise<Group> {
	const {
		name,
		description,
		creatorKind: kind
	} = checkInput(newGroupDetails, input, (message) => new GroupRuleError(message));
	const sessions = input.program ? planStandardProgram(input.program, input.timeZone) : [];
	return db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const [created] = await tx
			.insert(group)
			.values({
				id: generateId(),
				name,
				description,
				capacity: input.capacity,
				timeZone: input.timeZone,
				createdBy: input.creatorId
			})
			.returning();
		await tx.insert(groupMember).values({
			id: generateId(),
			groupId: created.id,
			userId: input.creatorId,
			role: 'facilitator',
			facilitatorKind: kind
		});
		await recordAudit(
			{
				action: 'group.created',
				actorId: input.creatorId,
				objectType: 'group',
				objectId: created.id,
				groupId: created.id,
				detail: { sessions: sessions.length, capacity: input.capacity }
			},
			tx
		);
		await insertAgreementVersion(tx, {
			groupId: created.id,
			actorId: input.creatorId,
			body: input.agreementBody,
			kind: 'program'
		});
		await insertSessions(tx, created.id, sessions);
		return created;
	});
}

export async function getGroup(groupId: string): Promise<Group | null> {
	const [row] = await db.select().from(group).where(eq(group.id, groupId));
	return row ?? null;
}

/** The home page's list: every group the user is active in, with its next session. */
export async function listGroupsForUser(userId: string) {
	const rows = await db
		.select({ group, role: groupMember.role })
		.from(groupMember)
		.innerJoin(group, eq(group.id, groupMember.groupId))
		.where(and(eq(groupMember.userId, userId), eq(groupMember.status, 'active')))
		.orderBy(group.name);
	if (rows.length === 0) return [];
	const sessions = await db
		.select()
		.from(programSession)
		.where(
			inArray(
				programSession.groupId,
				rows.map((row) => row.group.id)
			)
		);
	const purges = await getPurgeStates(rows.map((row) => row.group.id));
	return Promise.all(
		rows.map(async ({ group: g, role }) => {
			const own = sessions.filter((s) => s.groupId === g.id);
			const purge = purges.get(g.id);
			const next = pickShownSession(g.lifecycle, own);
			const standing = await getGroupStanding(userId, g.id);
			return {
				id: g.id,
				name: g.name,
				lifecycle: g.lifecycle,
				timeZone: g.timeZone,
				lifecycleLabel: describeStage(g.lifecycle, own),
				role,
				needsSignature: standing?.needsSignature ?? false,
				nextSession: next && !purge ? presentSession(next, g.timeZone) : null,
				/** Set once the retention purge has begun (facilitators keep the group in their list): when it finished, or null while it runs. */
				recordsDeleted: purge ? { on: purge.deletedOn } : null
			};
		})
	);
}

/**
 * Moves the group one step along forming → active → alumni → archived. Moving to alumni publishes the
 * alumni agreement, which every member must sign to stay (until then they can read but not write).
 */
export async function changeLifecycle(input: {
	groupId: string;
	actorId: string;
	to: string;
	alumniAgreementBody?: string;
}): Promise<void> {
	const next = await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const [current] = await tx.select().from(group).where(eq(group.id, input.groupId)).for('update');
		if (!current) throw new NotInGroupError();
		const next = NEXT_LIFECYCLE[current.lifecycle];
		if (!next || next !== input.to) {
			throw new GroupRuleError('The group has already moved on. Please reload the page to see where it stands.');
		}
		await tx.update(group).set({ lifecycle: next, lifecycleChangedAt: new Date() }).where(eq(group.id, current.id));
		await recordAudit(
			{
				action: 'group.lifecycle_changed',
				actorId: input.actorId,
				objectType: 'group',
				objectId: current.id,
				groupId: current.id,
				detail: { from: current.lifecycle, to: next }
			},
			tx
		);
		if (next === 'alumni') {
			await insertAgreementVersion(tx, {
				groupId: current.id,
				actorId: input.actorId,
				body: input.alumniAgreementBody?.trim() ? input.alumniAgreementBody : DEFAULT_ALUMNI_AGREEMENT,
				kind: 'alumni'
			});
		}
		return next;
	});
	await announceAccessChange({ kind: 'group-changed', groupId: input.groupId });
	if (next === 'alumni') {
		const members = await db
			.select({ userId: groupMember.userId })
			.from(groupMember)
			.where(
				and(eq(groupMember.groupId, input.groupId), eq(groupMember.role, 'member'), eq(groupMember.status, 'active'))
			);
		// The move is made; telling the members must not turn it into an error for the facilitator.
		await notify(
			members.map((member) => member.userId),
			'moved_to_alumni',
			input.groupId,
			{ actorId: input.actorId }
		).catch((error) => log.error({ area: 'notifications', error }, 'notifying members of the move to alumni failed'));
	}
}
