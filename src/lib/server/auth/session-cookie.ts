import type { Cookies } from '@sveltejs/kit';

// Over https the `__Host-` prefix pins the cookie to this exact host, path `/`, Secure.
const SECURE_NAME = '__Host-hearth_session';
const PLAIN_NAME = 'hearth_session';

export function getSessionCookieName(url: URL): string {
	return url.protocol === 'https:' ? SECURE_NAME : PLAIN_NAME;
}

export function readSessionCookie(cookies: Cookies, url: URL): string | undefined {
	return cookies.get(getSessionCookieName(url));
}

export function setSessionCookie(cookies: Cookies, url: URL, token: string, expiresAt: Date): void {
	cookies.set(getSessionCookieName(url), token, {
		httpOnly: true,
		secure: true,
		sameSite: 'lax',
		path: '/',
		expires: expiresAt
	});
}

export function deleteSessionCookie(cookies: Cookies, url: URL): void {
	cookies.delete(getSessionCookieName(url), { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
}
