/*
 * Muting with a set time. The groups domain owns the mute itself (setMemberMuted: read-only at once,
 * open connections included, audited); this adds "for N hours": member_mute remembers when it ends, and
 * a sweep unmutes whoever's time is up — through setMemberMuted again, so the access change reaches
 * their open connections the same way.
 */
import { and, eq, lte } from 'drizzle-orm';
import { db } from '../db';
import { memberMute } from '../db/schema';
import { setMemberMuted } from '../groups/membership';
import { log } from '../log';

/** Longest timed mute offered; longer than this, "until unmuted" says it honestly. */
export const MAX_MUTE_HOURS = 24 * 14;
const SWEEP_EVERY_MS = 30_000;

/** Mutes a member until unmuted (`hours` null) or for `hours`. Throws as setMemberMuted does. */
export async function muteMember(input: {
	groupId: string;
	actorId: string;
	userId: string;
	hours: number | null;
}): Promise<void> {
	await setMemberMuted({ groupId: input.groupId, actorId: input.actorId, userId: input.userId, muted: true });
	const where = and(eq(memberMute.groupId, input.groupId), eq(memberMute.userId, input.userId));
	if (input.hours === null) {
		await db.delete(memberMute).where(where);
		return;
	}
	const hours = Math.min(Math.max(input.hours, 1), MAX_MUTE_HOURS);
	const until = new Date(Date.now() + hours * 3_600_000);
	await db
		.insert(memberMute)
		.values({ groupId: input.groupId, userId: input.userId, until, mutedBy: input.actorId })
		.onConflictDoUpdate({ target: [memberMute.groupId, memberMute.userId], set: { until, mutedBy: input.actorId } });
}

export async function unmuteMember(input: { groupId: string; actorId: string; userId: string }): Promise<void> {
	await db.delete(memberMute).where(and(eq(memberMute.groupId, input.groupId), eq(memberMute.userId, input.userId)));
	await setMemberMuted({ ...input, muted: false });
}

/** When each timed mute in the group ends, by user id. */
export async function listMuteEnds(groupId: string): Promise<Map<string, Date>> {
	const rows = await db.select().from(memberMute).where(eq(memberMute.groupId, groupId));
	return new Map(rows.map((row) => [row.userId, row.until]));
}

/** Unmutes everyone whose timed mute has ended; returns how many. */
export async function unmuteExpired(now = new Date()): Promise<number> {
	const due = await db.select().from(memberMute).where(lte(memberMute.until, now));
	let count = 0;
	for (const mute of due) {
		await db.delete(memberMute).where(and(eq(memberMute.groupId, mute.groupId), eq(memberMute.userId, mute.userId)));
		// They may have been removed meanwhile; then there is nothing to unmute.
		await setMemberMuted({ groupId: mute.groupId, actorId: mute.mutedBy, userId: mute.userId, muted: false }).then(
			() => count++,
			() => {}
		);
	}
	return count;
}

let sweeper: ReturnType<typeof setInterval> | undefined;

/** Starts the periodic unmute sweep for this process (idempotent). */
export function startMuteExpiry(): void {
	if (sweeper) return;
	sweeper = setInterval(() => {
		unmuteExpired().catch((error) => log.error({ area: 'moderation', error }, 'unmuting expired mutes failed'));
	}, SWEEP_EVERY_MS);
	sweeper.unref?.();
}
