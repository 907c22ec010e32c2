// Signing out, through the routes' own actions: the session ends and the browser is told to clear what it
// cached and stored for Hearth.
import { describe, expect, it } from 'vitest';
import { isRedirect } from '@sveltejs/kit';
import { createAccount } from './accounts';
import { validateSessionToken } from './sessions';
import { getSessionCookieName } from './session-cookie';
import { signIn } from './sign-in';
import { actions as signOutActions } from '../../../routes/logout/+page.server';
import { actions as accountActions } from '../../../routes/(app)/account/+page.server';
import { createRequestEvent, uniqueAddress, type TestRequestEvent } from '$test/request-events';

const password = 'a calm long password';

/** A signed-in browser: the event carries the session as hooks.server.ts would have put it in locals. */
async function signInBrowser(): Promise<{ event: TestRequestEvent; token: string }> {
	const email = `${crypto.randomUUID()}@example.org`;
	await createAccount({ email, displayName: 'Robin', password, role: 'member' });
	const signInEvent = createRequestEvent({ address: uniqueAddress() });
	await signIn(signInEvent, { email, password, via: 'login' });
	const token = signInEvent.jar.get(getSessionCookieName(signInEvent.url))!;
	const { session, user } = await validateSessionToken(token);
	const event = createRequestEvent({ path: '/logout', locals: { session, user } });
	event.jar.set(getSessionCookieName(event.url), token);
	return { event, token };
}

/** Runs a form action the way SvelteKit does: a redirect is thrown. */
async function submit(action: (event: never) => unknown, event: TestRequestEvent): Promise<string> {
	try {
		await action(event as never);
	} catch (thrown) {
		if (isRedirect(thrown)) return thrown.location;
		throw thrown;
	}
	throw new Error('expected a redirect');
}

describe('signing out', () => {
	it('ends the session and tells the browser to clear its cache', async () => {
		const { event, token } = await signInBrowser();
		expect(await submit(signOutActions.default, event)).toBe('/login');
		expect(event.headers['Clear-Site-Data']).toBe('"cache"');
		expect(event.jar.size).toBe(0);
		expect((await validateSessionToken(token)).session).toBeNull();
	});

	it('"sign out everywhere" does the same', async () => {
		const { event, token } = await signInBrowser();
		expect(await submit(accountActions.signOutEverywhere, event)).toBe('/login');
		expect(event.headers['Clear-Site-Data']).toBe('"cache"');
		expect(event.jar.size).toBe(0);
		expect((await validateSessionToken(token)).session).toBeNull();
	});
});
