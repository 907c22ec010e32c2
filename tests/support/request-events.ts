// The parts of a SvelteKit request event that sign-in and sign-out use, for calling them (and route
// actions) from integration tests: a cookie jar that remembers what was set and deleted, the headers
// set with setHeaders, and the client address the limits count by.
import type { Cookies } from '@sveltejs/kit';

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
