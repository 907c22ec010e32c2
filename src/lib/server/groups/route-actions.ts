import { error, fail, type ActionFailure } from '@sveltejs/kit';
import { GroupRuleError, NotInGroupError } from './errors';

/**
 * Runs a group command for a form action: a broken rule becomes a 400 with its message for the
 * person; something outside the group becomes the same 404 as an id that does not exist.
 */
export async function runGroupCommand<T>(
	action: string,
	command: () => Promise<T>
): Promise<T | ActionFailure<{ action: string; message: string }>> {
	try {
		return await command();
	} catch (e) {
		if (e instanceof GroupRuleError) return fail(400, { action, message: e.message });
		if (e instanceof NotInGroupError) error(404, 'Not found');
		throw e;
	}
}
