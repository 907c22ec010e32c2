import { error, redirect } from '@sveltejs/kit';
import { recordRefusal } from '../audit';
import type { SessionUser } from './sessions';

type GuardEvent = { locals: App.Locals; url: URL; request?: Request };

/** Only same-site paths may be returned to after sign-in, so `next` cannot send anyone elsewhere. */
export function safeNextPath(next: string | null | undefined): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
	return next;
}

/** The signed-in user, or a redirect to sign in that comes back here afterwards. */
export function requireUser(event: GuardEvent): SessionUser {
	if (!event.locals.user) {
		const next = event.url.pathname === '/' ? '' : `?next=${encodeURIComponent(event.url.pathname)}`;
		redirect(303, `/login${next}`);
	}
	return event.locals.user;
}

/**
 * Answers a signed-in person who may not have what they asked for exactly as for something that does not
 * exist (404), and records the refusal (audit: at most one a minute per person and kind).
 */
export async function refuse(event: GuardEvent, user: SessionUser, target: string | null = null): Promise<never> {
	await recordRefusal({ actorId: user.id, where: event.request?.method === 'POST' ? 'action' : 'page', target });
	error(404, 'Not found');
}

/** Practice admins only; anyone else is told the page does not exist. */
export async function requireAdmin(event: GuardEvent): Promise<SessionUser> {
	const user = requireUser(event);
	if (user.role !== 'admin') await refuse(event, user);
	return user;
}

/** Therapists and medical providers (and the admin, who may also practise). */
export async function requireStaff(event: GuardEvent): Promise<SessionUser> {
	const user = requireUser(event);
	if (user.role !== 'staff' && user.role !== 'admin') await refuse(event, user);
	return user;
}
