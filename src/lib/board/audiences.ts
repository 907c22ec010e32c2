/*
 * Audiences: who will read what a member writes, and the document that holds it.
 *
 * Every post goes to exactly one audience, and each audience has its own document (DESIGN.md,
 * "Architecture"): what is meant for the facilitators is never written into the group's document, so it
 * never reaches another member's device, not even hidden. Sharing something from the journal later is a
 * deliberate copy into the other document, never a change of who can read the original.
 */
import { careDocumentName, groupDocumentName, journalDocumentName } from './document-names';
import type { LivePost, NewPost, Post } from './posts';
import { LIMITS, POST_KINDS_BY_DOCUMENT } from './schema';

export type Audience = 'group' | 'care' | 'journal';

export const AUDIENCES: readonly { value: Audience; label: string; sentence: string }[] = [
	{ value: 'group', label: 'The group', sentence: 'Everyone in this circle will see this.' },
	{ value: 'care', label: 'Facilitators', sentence: 'Only your facilitators will see this.' },
	{ value: 'journal', label: 'Just me', sentence: 'Only you will see this. It stays in your journal.' }
];

export function describeAudience(audience: Audience): string {
	return AUDIENCES.find((a) => a.value === audience)!.sentence;
}

/** The document that holds what `userId` writes for `audience` in group `groupId`. */
export function audienceDocumentName(audience: Audience, groupId: string, userId: string): string {
	switch (audience) {
		case 'group':
			return groupDocumentName(groupId);
		case 'care':
			return careDocumentName(groupId, userId);
		case 'journal':
			return journalDocumentName(userId);
	}
}

/** Questions that help a member put a journey into words afterwards (integration). */
export const INTEGRATION_PROMPTS = [
	'What came up for me',
	'What I want to remember',
	'How my intention showed up'
] as const satisfies readonly string[];

/** The prompt offered when a member looks back at their intention after a journey. */
export const INTENTION_PROMPT: (typeof INTEGRATION_PROMPTS)[number] = 'How my intention showed up';

/**
 * The post to write when a member shares one of their own posts with another audience: the same words,
 * prompt and session, by the same person, as a new post. A private quiet-mode note becomes an ordinary
 * post, because notes belong only in the journal.
 */
export function prepareShare(post: LivePost, target: Audience): NewPost {
	const kinds = POST_KINDS_BY_DOCUMENT[target];
	const input: NewPost = {
		authorId: post.authorId,
		body: post.body,
		kind: kinds.includes(post.kind) ? post.kind : 'post'
	};
	if (post.sessionId) input.sessionId = post.sessionId;
	if (post.prompt && post.prompt.length <= LIMITS.promptChars) input.prompt = post.prompt;
	return input;
}

export type Resonance = { postId: string; userId: string; at: number };

/** "Me too"s that others gave to `authorId`'s live posts, oldest first. */
export function listResonance(posts: Post[], authorId: string): Resonance[] {
	const found: Resonance[] = [];
	for (const post of posts) {
		if (post.state !== 'live' || post.authorId !== authorId) continue;
		for (const reaction of post.reactions) {
			if (reaction.kind === 'metoo' && reaction.userId !== authorId) {
				found.push({ postId: post.id, userId: reaction.userId, at: reaction.at });
			}
		}
	}
	return found.sort((a, b) => a.at - b.at);
}

/** A member's intentions (top-level, live), newest first. */
export function listIntentions(posts: Post[], authorId: string): LivePost[] {
	return posts
		.filter(
			(p): p is LivePost => p.state === 'live' && p.kind === 'intention' && !p.parentId && p.authorId === authorId
		)
		.sort((a, b) => b.createdAt - a.createdAt);
}

/** Why a reply cannot go under `parent` now, in words for the person writing it, or null if it can. */
export function describeReplyProblem(parent: Post | null): string | null {
	if (!parent || parent.state !== 'live') {
		return 'The post you were replying to has been deleted, so the reply could not go under it. Your words are still in the box.';
	}
	if (parent.parentId) return 'Replies go under the original post.';
	return null;
}
