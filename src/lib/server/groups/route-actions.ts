import { runCommand } from '../forms';
import { GroupRuleError, NotInGroupError } from './errors';

/**
 * Runs a group command for a form action: a broken rule becomes a 400 with its message for the
 * person; something outside the group becomes the same 404 as an id that does not exist.
 */
export function runGroupCommand<T>(action: string, command: () => Promise<T>) {
	return runCommand(action, command, {
		shown: (e) => e instanceof GroupRuleError,
		hidden: (e) => e instanceof NotInGroupError
	});
}
