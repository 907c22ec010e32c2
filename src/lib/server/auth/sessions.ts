import { eq, sql } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { db } from '../db';
import { arrayParam } from '../db/batched';
import { getConfig } from '../config';
import * as table from '../db/schema';
import { announceAccessChange } from '../access-events';

export type Session = typeof table.session.$inferSelect;
export type SessionUser = Pick<typeof table.user.$inferSelect, 'id' | 'email' | 'displayName' | 'role'>;
export type SessionValidation = { session: Session; user: SessionUser } | { session: null; user: null };

// Writing last-seen on every request would be one write per click; a minute's precision is enough.
const TOUCH_INTERVAL_MS = 60_000;

/** 160 random bits; only its SHA-256 is stored, so the database never holds a usable token. */
export function generateSessionToken(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

export function hashSessionToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(token: string, userId: string): Promise<Session> {
	const { idleTimeoutMs } = getConfig().session;
	const now = new Date();
	const session: Session = {
		id: hashSessionToken(token),
		userId,
		createdAt: now,
		lastSeenAt: now,
		expiresAt: new Date(now.getTime() + idleTimeoutMs)
	};
	await db.insert(table.session).values(session);
	return session;
}

/** When the session can last no longer, however active its user is. */
export function getSessionHardLimit(session: Pick<Session, 'createdAt'>): Date {
	return new Date(session.createdAt.getTime() + getConfig().session.absoluteLifetimeMs);
}

/**
 * Finds the session for a cookie token, ends it if it has been idle too long or reached its absolute
 * lifetime, and otherwise slides its expiry forward (never past the absolute lifetime).
 */
export async function validateSessionToken(token: string): Promise<SessionValidation> {
	const [validation] = await validateSessionTokens([token]);
	return validation;
}

/** validateSessionToken for many tokens at once (a burst of sockets): one read, at most one write. */
export async function validateSessionTokens(tokens: readonly string[]): Promise<SessionValidation[]> {
	const ids = tokens.map(hashSessionToken);
	const rows = await db
		.select({
			session: table.session,
			user: {
				id: table.user.id,
				email: table.user.email,
				displayName: table.user.displayName,
				role: table.user.role
			}
		})
		.from(table.session)
		.innerJoin(table.user, eq(table.session.userId, table.user.id))
		.where(sql`${table.session.id} = any(${arrayParam(ids, 'text')})`);
	const found = new Map(rows.map((row) => [row.session.id, row]));

	const now = Date.now();
	const touched: Session[] = [];
	const validations = await Promise.all(
		ids.map(async (id): Promise<SessionValidation> => {
			const row = found.get(id);
			if (!row) return { session: null, user: null };
			// Each caller gets its own copy: the same token may be asked for twice in one batch.
			const session = { ...row.session };
			const hardLimit = getSessionHardLimit(session).getTime();
			if (now >= session.expiresAt.getTime() || now >= hardLimit) {
				await invalidateSession(id, session.userId);
				return { session: null, user: null };
			}
			if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
				session.lastSeenAt = new Date(now);
				session.expiresAt = new Date(Math.min(now + getConfig().session.idleTimeoutMs, hardLimit));
				touched.push(session);
			}
			return { session, user: row.user };
		})
	);
	if (touched.length > 0) {
		await db.execute(sql`update ${table.session} set last_seen_at = slid.last_seen_at::timestamptz, expires_at = slid.expires_at::timestamptz
			from unnest(
				${arrayParam(
					touched.map((session) => session.id),
					'text'
				)},
				${arrayParam(
					touched.map((session) => session.lastSeenAt.toISOString()),
					'text'
				)},
				${arrayParam(
					touched.map((session) => session.expiresAt.toISOString()),
					'text'
				)}
			) as slid (id, last_seen_at, expires_at)
			where ${table.session.id} = slid.id`);
	}
	return validations;
}

/** When a session ends (idle expiry and hard limit), read without sliding it; null when it has ended. */
export async function readSessionEnd(sessionId: string): Promise<{ expiresAt: Date; hardLimit: Date } | null> {
	const [row] = await db
		.select({ expiresAt: table.session.expiresAt, createdAt: table.session.createdAt })
		.from(table.session)
		.where(eq(table.session.id, sessionId));
	if (!row) return null;
	const hardLimit = getSessionHardLimit(row);
	const now = Date.now();
	return row.expiresAt.getTime() > now && hardLimit.getTime() > now ? { expiresAt: row.expiresAt, hardLimit } : null;
}

export async function invalidateSession(sessionId: string, userId: string): Promise<void> {
	await db.delete(table.session).where(eq(table.session.id, sessionId));
	await announceAccessChange({ kind: 'sessions-ended', userId, sessionIds: [sessionId] });
}

/** Ends every session the user has, on every device ("sign out everywhere", password change). */
export async function invalidateUserSessions(userId: string): Promise<void> {
	await db.delete(table.session).where(eq(table.session.userId, userId));
	await announceAccessChange({ kind: 'sessions-ended', userId });
}
