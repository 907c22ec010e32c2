import { requireUser } from '$lib/server/auth/guards';
import { answerExport, exportMyData } from '$lib/server/export';
import type { RequestHandler } from './$types';

// A POST only: the password travels in the body and the file in the answer, never in an address.
export const POST: RequestHandler = async (event) => {
	const user = requireUser(event);
	return answerExport(event, { path: '/account', anchor: 'your-data' }, (request) =>
		exportMyData({ ...request, userId: user.id })
	);
};
