/**
 * Why a facilitator hid or removed a post, as a fixed choice: the audit log records the choice (an enum
 * value), never words someone typed. A facilitator's own words for the author go only to the author's
 * care space. The server accepts these keys; the post menu offers them in this order.
 */
export const MODERATION_REASONS = {
	safety: 'For someone’s safety',
	privacy: 'Shares someone’s private details',
	agreement: 'Goes against the group agreement',
	misplaced: 'Better suited to a private conversation',
	other: 'Another reason'
} as const;
export type ModerationReason = keyof typeof MODERATION_REASONS;

export function isModerationReason(value: unknown): value is ModerationReason {
	return typeof value === 'string' && Object.hasOwn(MODERATION_REASONS, value);
}
