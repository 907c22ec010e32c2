/**
 * Announcements that someone's access changed: a session ended, a membership was removed or muted,
 * a group became read-only. The realtime server listens and closes or downgrades open sockets at once.
 * Callers announce after their change is committed; listeners re-read the database rather than trust
 * the announcement, so a stale or duplicated one does no harm.
 *
 * Listeners in this process hear an announcement directly. Other processes sharing the database hear it
 * through PostgreSQL NOTIFY on `hearth_access` (payload: JSON `{ from, change }`, ids only) once they have
 * called `startAccessChangeRelay` (the realtime server's start-up does).
 */
import { randomBytes } from 'node:crypto';
import { connection } from './db';
import { createNotificationChannel } from './realtime/notifications';
import { log } from './log';

export type AccessChange =
	| { kind: 'sessions-ended'; userId: string; sessionIds?: string[] }
	| { kind: 'membership-changed'; groupId: string; userId: string }
	| { kind: 'group-changed'; groupId: string };

type Listener = (change: AccessChange) => void | Promise<void>;

const CHANNEL = 'hearth_access';

const listeners = new Set<Listener>();
/** Tells this process's own announcements apart when they come back through NOTIFY. */
const processId = randomBytes(8).toString('hex');
let relay: Promise<() => Promise<void>> | undefined;

export function onAccessChange(listener: Listener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

/**
 * Tells every listener in this process, then every other process; a failing listener is logged and
 * never stops the others, and a failed NOTIFY is logged, never thrown at the caller, whose change is
 * already committed.
 */
export async function announceAccessChange(change: AccessChange): Promise<void> {
	await Promise.all([
		dispatch(change),
		createNotificationChannel(connection.driver)
			.notify(CHANNEL, JSON.stringify({ from: processId, change }))
			.catch((error) => log.error({ area: 'access', error }, 'announcing an access change to other processes failed'))
	]);
}

async function dispatch(change: AccessChange): Promise<void> {
	await Promise.all(
		[...listeners].map(async (listener) => {
			try {
				await listener(change);
			} catch (error) {
				log.error({ area: 'access', kind: change.kind, error }, 'an access change listener failed');
			}
		})
	);
}

/** Starts hearing other processes' announcements (idempotent); resolves once listening. */
export async function startAccessChangeRelay(): Promise<void> {
	relay ??= createNotificationChannel(connection.driver).listen(CHANNEL, (payload) => {
		const change = parseAnnouncement(payload);
		if (change) void dispatch(change);
	});
	await relay;
}

export async function stopAccessChangeRelay(): Promise<void> {
	const stopping = relay;
	relay = undefined;
	if (stopping) await (await stopping)();
}

function parseAnnouncement(payload: string): AccessChange | null {
	try {
		const { from, change } = JSON.parse(payload) as { from?: unknown; change?: AccessChange };
		if (from === processId || !change || typeof change !== 'object') return null;
		const isId = (value: unknown) => typeof value === 'string' && value.length > 0;
		switch (change.kind) {
			case 'sessions-ended':
				return isId(change.userId) &&
					(change.sessionIds === undefined || (Array.isArray(change.sessionIds) && change.sessionIds.every(isId)))
					? { kind: change.kind, userId: change.userId, sessionIds: change.sessionIds }
					: null;
			case 'membership-changed':
				return isId(change.groupId) && isId(change.userId)
					? { kind: change.kind, groupId: change.groupId, userId: change.userId }
					: null;
			case 'group-changed':
				return isId(change.groupId) ? { kind: change.kind, groupId: change.groupId } : null;
			default:
				return null;
		}
	} catch {
		return null;
	}
}
