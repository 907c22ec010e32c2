import { error } from '@sveltejs/kit';
import { renderCalendarFeed } from '$lib/server/calendar';
import type { RequestHandler } from './$types';

// Calendar apps fetch this without a session cookie: the secret token in the path is the credential
// (calendar/index.ts). hooks.server.ts adds `Cache-Control: no-store`, so no shared cache keeps a copy.
export const GET: RequestHandler = async ({ params }) => {
	const feed = await renderCalendarFeed(params.token);
	if (feed === null) error(404, 'Not found');
	return new Response(feed, {
		headers: {
			'Content-Type': 'text/calendar; charset=utf-8',
			'Content-Disposition': 'inline; filename="hearth.ics"',
			'X-Robots-Tag': 'noindex'
		}
	});
};
