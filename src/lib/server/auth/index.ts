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
type SignOutEvent = CookieEvent & { locals: App.Locals; setHeaders(headers: Record<string, string>): void };

/**
 * Sent with every sign-out: the browser drops what it cached for Hearth, so the next person at a shared
 * computer finds nothing. Not "cookies": that directive clears cookies for the whole registrable domain,
 * subdomains included (a practice's other services on its domain would be signed out too), and the only
 * cookie Hearth sets is already deleted by this same response's Set-Cookie. Not "storage": Hearth keeps
 * nothing in browser storage, and Chromium clearing it while another of the person's Hearth tabs was
 * leaving its board (that tab's own revocation) crashed that tab.
 */
export const SIGN_OUT_CLEAR_SITE_DATA = '"cache"';

/** Starts a new session with a fresh token (never reusing one from before sign-in) and sets its cookie. */
export async function startSession(event: CookieEvent, userId: string): Promise<void> {
	const token = generateSessionToken();
	const session = await createSession(token, userId);
	setSessionCookie(event.cookies, event.url, token, getSessionHardLimit(session));
}

export async function endSession(event: SignOutEvent): Promise<void> {
	if (event.locals.session) await invalidateSession(event.locals.session.id, event.locals.session.userId);
	forgetSession(event);
}

export async function endAllSessions(event: SignOutEvent): Promise<void> {
	if (event.locals.user) await invalidateUserSessions(event.locals.user.id);
	forgetSession(event);
}

function forgetSession(event: SignOutEvent): void {
	deleteSessionCookie(event.cookies, event.url);
	event.setHeaders({ 'Clear-Site-Data': SIGN_OUT_CLEAR_SITE_DATA });
}
