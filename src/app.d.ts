import type { SessionUser, Session } from '$lib/server/auth/sessions';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			session: Session | null;
		}
		interface Error {
			message: string;
			/** Quoted in the server log, so a person reporting a problem can point at it. */
			errorId?: string;
		}
	}
}

export {};
