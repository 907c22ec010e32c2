// A person's calendar subscription: an iCalendar feed of the sessions of every group whose schedule they
// may see, at a secret link a calendar app polls without a session cookie. The link's token is the only
// credential, so it works like an invitation link: 160 random bits, only its SHA-256 stored, one live link
// per person, replaced (the old one stops at once) or turned off from the account page. Titles are neutral
// ("Hearth session") unless the person opts in to group names; the feed carries nothing else about them.
import { and, eq } from 'drizzle-orm';
import ical from 'ical-generator';
import { db, type Database } from '../db';
import { calendarFeed, group, groupMember } from '../db/schema';
import { recordAudit } from '../audit';
import { getGroupAccess } from '../groups/access';
import { describeSession, listSessions } from '../schedule/program';
import { generateSecretToken, hashSecretToken } from '../secret-token';

/** Sessions carry a start only; calendars get this much time blocked for each. */
export const SESSION_LENGTH_MINUTES = 120;
/** How often calendar apps are asked to fetch again, so a moved session shows up within the hour. */
const REFRESH_SECONDS = 60 * 60;
export const NEUTRAL_TITLE = 'Hearth session';

export function buildCalendarLink(origin: string, token: string): string {
	return `${origin}/calendar/${token}.ics`;
}

export interface CalendarSettings {
	on: boolean;
	showGroupNames: boolean;
}

export async function getCalendarSettings(userId: string): Promise<CalendarSettings> {
	const [row] = await db
		.select({ showGroupNames: calendarFeed.showGroupNames })
		.from(calendarFeed)
		.where(eq(calendarFeed.userId, userId));
	return { on: !!row, showGroupNames: row?.showGroupNames ?? false };
}

/** The person's feed row, locked for the rest of the transaction so two changes apply one after the other. */
async function lockCalendarFeed(tx: Database, userId: string) {
	const [row] = await tx.select().from(calendarFeed).where(eq(calendarFeed.userId, userId)).for('update');
	return row ?? null;
}

/**
 * Makes the person's calendar link, replacing (and so revoking) any earlier one. The link is returned once
 * and never stored; the naming choice carries over to the new link.
 */
export async function createCalendarLink(input: { userId: string; origin: string }): Promise<string> {
	const token = generateSecretToken();
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const before = await lockCalendarFeed(tx, input.userId);
		await tx
			.insert(calendarFeed)
			.values({ userId: input.userId, tokenHash: hashSecretToken(token) })
			.onConflictDoUpdate({
				target: calendarFeed.userId,
				set: { tokenHash: hashSecretToken(token), createdAt: new Date() }
			});
		await recordAudit(
			{
				action: 'calendar.link_created',
				actorId: input.userId,
				objectType: 'user',
				objectId: input.userId,
				detail: { replaced: !!before }
			},
			tx
		);
	});
	return buildCalendarLink(input.origin, token);
}

/** Turns the feed off: the link answers 404 from now on. Does nothing (and records nothing) when it was off. */
export async function revokeCalendarLink(userId: string): Promise<void> {
	await db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const removed = await tx.delete(calendarFeed).where(eq(calendarFeed.userId, userId)).returning();
		if (removed.length === 0) return;
		await recordAudit({ action: 'calendar.link_revoked', actorId: userId, objectType: 'user', objectId: userId }, tx);
	});
}

/** Whether event titles name the group and the session. Only with a live link (otherwise there is no feed). */
export async function setCalendarNames(input: { userId: string; showGroupNames: boolean }): Promise<boolean> {
	return db.transaction(async (txRaw) => {
		const tx = txRaw as unknown as Database;
		const before = await lockCalendarFeed(tx, input.userId);
		if (!before) return false;
		if (before.showGroupNames === input.showGroupNames) return true;
		await tx
			.update(calendarFeed)
			.set({ showGroupNames: input.showGroupNames })
			.where(eq(calendarFeed.userId, input.userId));
		await recordAudit(
			{
				action: 'calendar.names_changed',
				actorId: input.userId,
				objectType: 'user',
				objectId: input.userId,
				detail: { show_group_names: input.showGroupNames }
			},
			tx
		);
		return true;
	});
}

/** The groups whose schedule the person may see now: the same gate as the schedule page. */
async function listVisibleGroups(userId: string) {
	const rows = await db
		.select({ id: group.id, name: group.name })
		.from(groupMember)
		.innerJoin(group, eq(group.id, groupMember.groupId))
		.where(and(eq(groupMember.userId, userId), eq(groupMember.status, 'active')));
	const visible = await Promise.all(
		rows.map(async (row) => {
			const access = await getGroupAccess(userId, row.id);
			return access && !access.needsSignature ? row : null;
		})
	);
	return visible.filter((row) => row !== null);
}

/**
 * The iCalendar text for the feed with this token, or null when no live link has it (never made, replaced,
 * turned off). Reads only; times are UTC instants, which every calendar shows at the group's wall-clock
 * time in the group's zone (and correctly across daylight-saving changes) wherever the reader is.
 */
export async function renderCalendarFeed(token: string): Promise<string | null> {
	const [feed] = await db
		.select({ userId: calendarFeed.userId, showGroupNames: calendarFeed.showGroupNames })
		.from(calendarFeed)
		.where(eq(calendarFeed.tokenHash, hashSecretToken(token)));
	if (!feed) return null;
	const calendar = ical({ name: 'Hearth', prodId: { company: 'Hearth', product: 'Hearth' }, ttl: REFRESH_SECONDS });
	for (const shown of await listVisibleGroups(feed.userId)) {
		for (const session of await listSessions(shown.id)) {
			calendar.createEvent({
				// Stable per session, so a moved session moves in the calendar instead of appearing twice.
				id: `${session.id}@hearth`,
				start: session.startsAt,
				end: new Date(session.startsAt.getTime() + SESSION_LENGTH_MINUTES * 60_000),
				summary: feed.showGroupNames ? `${shown.name} · ${describeSession(session)}` : NEUTRAL_TITLE
			});
		}
	}
	return calendar.toString();
}
