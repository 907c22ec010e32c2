import { and, desc, eq, gte, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import { db, type Database } from '../db';
import { auditEvent, type AuditEvent } from '../db/schema';
import type { ReauthenticationPurpose } from '../auth/accounts';

/**
 * Everything Hearth records. Details carry ids, version numbers, lifecycle names and hashed keys only;
 * names, email addresses, notes, agreement text and anything else a person typed never go in.
 */
export const auditActions = [
	'auth.setup',
	'auth.sign_in',
	'auth.sign_in_failed',
	'auth.sign_out',
	'auth.sign_out_everywhere',
	'auth.password_changed',
	'auth.second_factor_failed',
	'auth.second_factor_enabled',
	'auth.second_factor_disabled',
	'auth.recovery_codes_replaced',
	'auth.second_factor_reset',
	'auth.password_reset_issued',
	'auth.password_reset',
	'account.created',
	'staff.created',
	'group.created',
	'group.lifecycle_changed',
	'group.cool_off_changed',
	'schedule.changed',
	'invitation.created',
	'invitation.accepted',
	'invitation.revoked',
	'agreement.published',
	'agreement.signed',
	'agreement.declined',
	'member.muted',
	'member.unmuted',
	'member.removed',
	'member.left',
	'facilitator.added',
	'post.flagged',
	'flag.resolved',
	'post.hidden',
	'post.restored',
	'post.redacted',
	'support.urgent_message',
	'practice.crisis_lines_changed',
	'care.viewed',
	'staff_space.viewed',
	'access.refused',
	'data.exported',
	'group.exported',
	'audit.exported',
	'account.deleted',
	'calendar.link_created',
	'calendar.link_revoked',
	'calendar.names_changed',
	'intention.shared',
	'intention.unshared',
	'retention.changed',
	'retention.hold_set',
	'retention.hold_lifted',
	'retention.purged',
	'clinical_lead.marked',
	'clinical_lead.unmarked',
	'emergency_access.started',
	'emergency_access.ended',
	'emergency_access.viewed'
] as const;
export type AuditAction = (typeof auditActions)[number];

export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditRecord {
	action: AuditAction;
	actorId: string | null;
	objectType?:
		'user' | 'group' | 'invitation' | 'agreement' | 'program_session' | 'session' | 'post' | 'flag' | 'practice';
	objectId?: string | null;
	groupId?: string | null;
	detail?: AuditDetail;
}

/** Appends one event. Pass the transaction when the event belongs to a change, so both land or neither. */
export async function recordAudit(record: AuditRecord, tx: Database = db): Promise<void> {
	await tx.insert(auditEvent).values({
		actorId: record.actorId,
		action: record.action,
		objectType: record.objectType ?? null,
		objectId: record.objectId ?? null,
		groupId: record.groupId ?? null,
		detail: record.detail ?? null
	});
}

export interface AuditFilter {
	groupId?: string;
	actorId?: string;
	action?: AuditAction;
	from?: Date;
	to?: Date;
	/** Only events older than this id: the page before. */
	beforeId?: number;
	limit?: number;
}

/** Newest first. */
export async function listAuditEvents(filter: AuditFilter): Promise<AuditEvent[]> {
	const conditions: SQL[] = [];
	if (filter.groupId) conditions.push(eq(auditEvent.groupId, filter.groupId));
	if (filter.actorId) conditions.push(eq(auditEvent.actorId, filter.actorId));
	if (filter.action) conditions.push(eq(auditEvent.action, filter.action));
	if (filter.from) conditions.push(gte(auditEvent.at, filter.from));
	if (filter.to) conditions.push(lte(auditEvent.at, filter.to));
	if (filter.beforeId) conditions.push(lt(auditEvent.id, filter.beforeId));
	return db
		.select()
		.from(auditEvent)
		.where(and(...conditions))
		.orderBy(desc(auditEvent.id))
		.limit(Math.min(filter.limit ?? 100, 500));
}

export function isAuditAction(value: string): value is AuditAction {
	return (auditActions as readonly string[]).includes(value);
}

/**
 * Records a failed password check under the account key the sign-in limits use (a keyed hash: see
 * auth/login-limits.ts), so repeated failures against one account can be seen together while the log holds
 * neither the email nor the address. `refused`: the attempt was not checked because its pair was paused.
 */
export async function recordFailedSignIn(input: {
	accountKey: string;
	via: 'login' | 'invitation' | ReauthenticationPurpose;
	refused: boolean;
}): Promise<void> {
	await recordAudit({
		action: 'auth.sign_in_failed',
		actorId: null,
		detail: { account_key: input.accountKey, via: input.via, refused: input.refused }
	});
}

/** Refusals of one kind recorded per person (or per anonymous caller) at most once in this window. */
const REFUSAL_RECORD_WINDOW_MS = 60_000;

/**
 * Records that someone was refused: a page of a group they are not in, a facilitator's action, a socket.
 * The target is an id in the detail, never the group column, so another group's facilitators never see
 * who tried. At most one record per person and kind a minute, so a loop cannot flood the log.
 */
export async function recordRefusal(input: {
	actorId: string | null;
	where: 'page' | 'action' | 'socket';
	target?: string | null;
	code?: number;
}): Promise<void> {
	const since = new Date(Date.now() - REFUSAL_RECORD_WINDOW_MS);
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		// Refusals in a burst arrive together: the lock makes "is there one already?" and the insert one step.
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`refusal:${input.actorId ?? ''}:${input.where}`}))`);
		const [recent] = await tx
			.select({ id: auditEvent.id })
			.from(auditEvent)
			.where(
				and(
					eq(auditEvent.action, 'access.refused'),
					input.actorId ? eq(auditEvent.actorId, input.actorId) : isNull(auditEvent.actorId),
					gte(auditEvent.at, since),
					sql`${auditEvent.detail}->>'where' = ${input.where}`
				)
			)
			.limit(1);
		if (recent) return;
		await recordAudit(
			{
				action: 'access.refused',
				actorId: input.actorId,
				detail: { where: input.where, target: input.target ?? null, ...(input.code ? { code: input.code } : {}) }
			},
			tx
		);
	});
}
