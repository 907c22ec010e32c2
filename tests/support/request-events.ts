// The parts of a SvelteKit request event that sign-in and sign-out use, for calling them (and route
// actions) from integration tests: a cookie jar that remembers what was set and deleted, the headers
// set with setHeaders, and the client address the limits count by.
import { isHttpError, isRedirect, type Cookies } from '@sveltejs/kit';

export interface TestRequestEvent {
	url: URL;
	cookies: Cookies;
	headers: Record<string, string>;
	locals: App.Locals;
	getClientAddress(): string;
	setHeaders(headers: Record<string, string>): void;
	/** The cookies as a browser would hold them after the response. */
	jar: Map<string, string>;
}

export function createRequestEvent(
	options: { address?: string; path?: string; locals?: App.Locals } = {}
): TestRequestEvent {
	const jar = new Map<string, string>();
	const headers: Record<string, string> = {};
	const cookies = {
		get: (name: string) => jar.get(name),
		getAll: () => [...jar].map(([name, value]) => ({ name, value })),
		set: (name: string, value: string) => void jar.set(name, value),
		delete: (name: string) => void jar.delete(name),
		serialize: (name: string, value: string) => `${name}=${value}`
	} as unknown as Cookies;
	return {
		url: new URL(`http://localhost${options.path ?? '/login'}`),
		cookies,
		headers,
		locals: options.locals ?? { user: null, session: null },
		getClientAddress: () => options.address ?? '192.0.2.1',
		setHeaders: (added) => Object.assign(headers, added),
		jar
	};
}

/** A documentation address (RFC 5737) no other test uses, so limits counted by address start at zero. */
export function uniqueAddress(): string {
	const part = () => Math.floor(Math.random() * 254) + 1;
	return `198.51.${part()}.${part()}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * A signed-in person's request to a group page (its load, or a form action when `form` is given), for
 * calling route modules directly. Only what the group guards read is filled in.
 */
export function groupPageEvent(
	person: { userId: string; name: string },
	groupId: string,
	page: string,
	form?: Record<string, string>
) {
	const url = new URL(`http://hearth.test/groups/${groupId}/${page}`);
	let request = new Request(url);
	if (form) {
		const body = new FormData();
		for (const [name, value] of Object.entries(form)) body.set(name, value);
		request = new Request(url, { method: 'POST', body });
	}
	return {
		locals: {
			user: { id: person.userId, email: `${person.userId}@example.org`, displayName: person.name, role: 'member' },
			session: null
		},
		url,
		params: { groupId },
		request
	} as never;
}

/** How a page or action answered: 'answered', an HTTP error's status, or where it redirected. */
export async function statusOf(attempt: Promise<unknown>): Promise<number | string> {
	return attempt.then(
		() => 'answered',
		(e: unknown) => (isHttpError(e) ? e.status : isRedirect(e) ? `redirect ${e.location}` : String(e))
	);
}
