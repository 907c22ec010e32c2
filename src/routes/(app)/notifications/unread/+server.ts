import { json } from '@sveltejs/kit';
import { requireUser } from '$lib/server/auth/guards';
import { countUnread } from '$lib/server/notifications';
import type { RequestHandler } from './$types';

/** How many notifications the signed-in person has not marked read: the header re-reads it while a page stays open. */
export const GET: RequestHandler = async (event) => json({ unread: await countUnread(requireUser(event).id) });
