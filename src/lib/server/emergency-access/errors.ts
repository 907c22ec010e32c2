/** An emergency access request that cannot be done; the message is written for the person and safe to show. */
export class EmergencyAccessError extends Error {}

/**
 * Asked by someone who may not use emergency access at all (not a clinical lead), or about a group or grant
 * that is not there: answered exactly like an id that does not exist.
 */
export class EmergencyAccessHidden extends Error {}
