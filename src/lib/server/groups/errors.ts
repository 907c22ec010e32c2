/** A rule of the circle was not met; the message is written for the person and safe to show them. */
export class GroupRuleError extends Error {}

/**
 * The thing asked for is not in this group (or does not exist). Routes answer 404, exactly as for an
 * id that never existed, so ids from other groups reveal nothing.
 */
export class NotInGroupError extends Error {
	constructor() {
		super('Not found');
	}
}
