/** A moderation request that cannot be done; the message is written for the person and safe to show. */
export class ModerationError extends Error {}
