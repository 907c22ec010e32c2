import { inArray } from 'drizzle-orm';
import { db } from '../db';
import { group, user, type AuditEvent } from '../db/schema';
import type { AuditAction } from '.';

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
	'auth.setup': 'Practice set up',
	'auth.sign_in': 'Signed in',
	'auth.sign_in_failed': 'Sign-in failed',
	'auth.sign_out': 'Signed out',
	'auth.sign_out_everywhere': 'Signed out everywhere',
	'auth.password_changed': 'Password changed',
	'auth.second_factor_failed': 'Second-factor code failed',
	'auth.second_factor_enabled': 'Two-step sign-in turned on',
	'auth.second_factor_disabled': 'Two-step sign-in turned off',
	'auth.recovery_codes_replaced': 'New recovery codes made',
	'auth.second_factor_reset': 'Two-step sign-in reset by the admin',
	'auth.password_reset_issued': 'Password reset link made',
	'auth.password_reset': 'Password set with a reset link',
	'account.created': 'Account created',
	'staff.created': 'Staff account created',
	'group.created': 'Group created',
	'group.lifecycle_changed': 'Group stage changed',
	'group.cool_off_changed': 'Cool-off after journeys changed',
	'schedule.changed': 'Schedule changed',
	'invitation.created': 'Invitation created',
	'invitation.accepted': 'Invitation accepted',
	'invitation.revoked': 'Invitation withdrawn',
	'agreement.published': 'Agreement version published',
	'agreement.signed': 'Agreement signed',
	'agreement.declined': 'Agreement declined',
	'member.muted': 'Member muted',
	'member.unmuted': 'Member unmuted',
	'member.removed': 'Member removed',
	'member.left': 'Member left',
	'facilitator.added': 'Co-facilitator added',
	'post.flagged': 'Post flagged for review',
	'flag.resolved': 'Flag resolved',
	'post.hidden': 'Post hidden',
	'post.restored': 'Post restored',
	'post.redacted': 'Post removed by a facilitator',
	'support.urgent_message': 'Urgent message to facilitators',
	'practice.crisis_lines_changed': 'Crisis lines changed',
	'care.viewed': "A member's care thread opened",
	'staff_space.viewed': 'Staff space opened',
	'access.refused': 'Access refused',
	'data.exported': 'Own data exported',
	'group.exported': "Group's record exported",
	'audit.exported': 'Audit log exported as CSV',
	'account.deleted': 'Account deleted',
	'calendar.link_created': 'Calendar link made',
	'calendar.link_revoked': 'Calendar link turned off',
	'calendar.names_changed': 'Calendar naming changed',
	'intention.shared': 'Intention shown to facilitators',
	'intention.unshared': 'Intention no longer shown to facilitators',
	'retention.changed': 'Retention time changed',
	'retention.hold_set': 'Legal hold set on a group',
	'retention.hold_lifted': 'Legal hold lifted',
	'retention.purged': "Ended group's records deleted under the retention policy",
	'clinical_lead.marked': 'Made a clinical lead',
	'clinical_lead.unmarked': 'No longer a clinical lead',
	'emergency_access.started': 'Emergency access started',
	'emergency_access.ended': 'Emergency access ended early',
	'emergency_access.viewed': 'Board opened in an emergency'
};

function describeDetail(detail: AuditEvent['detail']): string {
	if (!detail) return '';
	return Object.entries(detail)
		.filter(([, value]) => value !== null && value !== '')
		.map(([key, value]) => `${key.replaceAll('_', ' ')}: ${String(value).replaceAll('_', ' ')}`)
		.join(' · ');
}

/**
 * Audit rows as a reader sees them. Names are looked up at read time, for people allowed to read the
 * log; the log itself holds only ids, so it never needs scrubbing.
 */
export async function presentAuditEvents(rows: AuditEvent[], timeZone = 'UTC') {
	const userIds = new Set<string>();
	const groupIds = new Set<string>();
	for (const row of rows) {
		if (row.actorId) userIds.add(row.actorId);
		if (row.objectType === 'user' && row.objectId) userIds.add(row.objectId);
		if (row.groupId) groupIds.add(row.groupId);
	}
	const [users, groups] = await Promise.all([
		userIds.size
			? db
					.select({ id: user.id, name: user.displayName })
					.from(user)
					.where(inArray(user.id, [...userIds]))
			: [],
		groupIds.size
			? db
					.select({ id: group.id, name: group.name })
					.from(group)
					.where(inArray(group.id, [...groupIds]))
			: []
	]);
	const userNames = new Map(users.map((u) => [u.id, u.name]));
	const groupNames = new Map(groups.map((g) => [g.id, g.name]));
	const format = new Intl.DateTimeFormat('en-GB', {
		timeZone,
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
		timeZoneName: 'short'
	});
	return rows.map((row) => ({
		id: row.id,
		at: format.format(row.at),
		action: row.action,
		actionLabel: AUDIT_ACTION_LABELS[row.action as AuditAction] ?? row.action,
		actor: row.actorId ? (userNames.get(row.actorId) ?? 'Deleted account') : 'Nobody signed in',
		actorId: row.actorId,
		object:
			row.objectType === 'user' && row.objectId
				? (userNames.get(row.objectId) ?? 'Deleted account')
				: row.objectType
					? row.objectType.replaceAll('_', ' ')
					: '',
		objectId: row.objectId,
		group: row.groupId ? (groupNames.get(row.groupId) ?? 'Deleted group') : null,
		groupId: row.groupId,
		detail: describeDetail(row.detail)
	}));
}
