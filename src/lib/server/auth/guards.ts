import { error, redirect } from '@sveltejs/kit';
import type { SessionUser } from './sessions';

type GuardEvent = { locals: App.Locals; url: URL };

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

/** Practice admins only; anyone else is told the page does not exist. */
export function requireAdmin(event: GuardEvent): SessionUser {
	const user = requireUser(event);
	if (user.role !== 'admin') error(404, 'Not found');
	return user;
}

/** Therapists and medical providers (and the admin, who may also practise). */
export function requireStaff(event: GuardEvent): SessionUser {
	const user = requireUser(event);
	if (user.role !== 'staff' && user.role !== 'admin') error(404, 'Not found');
	return user;
}
