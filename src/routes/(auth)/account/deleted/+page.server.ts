import { getCrisisLines, telephoneOf } from '$lib/server/support/crisis-lines';
import type { PageServerLoad } from './$types';

// Open to anyone: the person who just deleted their account is signed out. It shows nothing of anyone.
export const load: PageServerLoad = async () => {
	const lines = await getCrisisLines();
	return { lines: lines.map((line) => ({ ...line, tel: telephoneOf(line.how) })) };
};
