import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { connection } from '$lib/server/db';
import { migrateDatabase } from '$lib/server/db/client';
import { validateSessionToken } from '$lib/server/auth/sessions';
import { deleteSessionCookie, readSessionCookie } from '$lib/server/auth/session-cookie';
import { startRealtime } from '$lib/server/realtime';
import { startMuteExpiry } from '$lib/server/moderation/mutes';
import { startRetentionSweep } from '$lib/server/retention';
import { startNotifications } from '$lib/server/notifications';
import { describeSetupCode, openSetup } from '$lib/server/setup/setup-code';
import { getConfig } from '$lib/server/config';
import { log } from '$lib/server/log';

export const init: ServerInit = async () => {
	await migrateDatabase(connection);
	// After migrations: the realtime tables must exist before the first socket loads a document.
	await startRealtime();
	startMuteExpiry();
	startRetentionSweep();
	await startNotifications({ databaseUrl: connection.url });
	// Only someone who can read this console may create the practice admin (setup/setup-code.ts).
	const setupCode = await openSetup();
	if (setupCode) console.log(describeSetupCode(setupCode, getConfig().origin));
};

const authenticate: Handle = async ({ event, resolve }) => {
	const token = readSessionCookie(event.cookies, event.url);
	if (!token) {
		event.locals.user = null;
		event.locals.session = null;
		return resolve(event);
	}
	const { session, user } = await validateSessionToken(token);
	if (!session) deleteSessionCookie(event.cookies, event.url);
	event.locals.user = user;
	event.locals.session = session;
	return resolve(event);
};

const secureHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	const headers = response.headers;
	// Every dynamic response may hold confidential content: no browser or proxy may keep a copy.
	headers.set('Cache-Control', 'no-store');
	// Never to another site; same-origin, not no-referrer, because under no-referrer browsers send
	// `Origin: null` with a plain form post, and SvelteKit's CSRF check then refuses sign-out.
	headers.set('Referrer-Policy', 'same-origin');
	headers.set('X-Content-Type-Options', 'nosniff');
	headers.set('X-Frame-Options', 'DENY');
	headers.set('Cross-Origin-Opener-Policy', 'same-origin');
	headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), browsing-topics=()');
	if (event.url.protocol === 'https:') {
		headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
	}
	return response;
};

export const handle = sequence(secureHeaders, authenticate);

export const handleError: HandleServerError = ({ error, status }) => {
	const errorId = crypto.randomUUID();
	// A client's mistake (a malformed request, a wrong method) is counted, not traced; our own failures
	// are logged with where they happened (log.ts: never a message).
	if (status >= 500) log.error({ errorId, status, error }, 'request failed');
	else if (status !== 404) log.warn({ errorId, status }, 'request refused');
	return {
		message: status === 404 ? 'Not found' : 'Something went wrong on our side. Please try again in a moment.',
		errorId
	};
};
