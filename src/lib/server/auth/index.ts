import type { Cookies } from '@sveltejs/kit';
import {
	createSession,
	generateSessionToken,
	getSessionHardLimit,
	invalidateSession,
	invalidateUserSessions
} from './sessions';
import { deleteSessionCookie, setSessionCookie } from './session-cookie';

export type CookieEvent = { cookies: Cookies; url: URL };

/** Starts a new session with a fresh token (never reusing one from before sign-in) and sets its cookie. */
export async function startSession(event: CookieEvent, userId: string): Promise<void> {
	const token = generateSessionToken();
	const session = await createSession(token, userId);
	setSessionCookie(event.cookies, event.url, token, getSessionHardLimit(session));
}

export async function endSession(event: CookieEvent & { locals: App.Locals }): Promise<void> {
	if (event.locals.session) await invalidateSession(event.locals.session.id, event.locals.session.userId);
	deleteSessionCookie(event.cookies, event.url);
}

export async function endAllSessions(event: CookieEvent & { locals: App.Locals }): Promise<void> {
	if (event.locals.user) await invalidateUserSessions(event.locals.user.id);
	deleteSessionCookie(event.cookies, event.url);
}
