import type { Post } from '$lib/board/posts';
import { iso, isoOrNull, type ExportedSession } from './shape';
import { describeSession } from '../schedule/program';
import type { ProgramSession } from '../db/schema';

/** Sessions by id, as an export names them ("Journey 2", when it began). */
export function indexSessions(sessions: ProgramSession[]): Map<string, ExportedSession> {
	return new Map(
		sessions.map((session) => [
			session.id,
			{ id: session.id, label: describeSession(session), startsAt: iso(session.startsAt) }
		])
	);
}

/** What every export says of a post, whoever wrote it; a removed post has no words, prompt or edit. */
export function describePost(post: Post, sessions: Map<string, ExportedSession>) {
	const live = post.state === 'live' ? post : null;
	return {
		id: post.id,
		kind: post.kind,
		body: live?.body ?? null,
		createdAt: iso(post.createdAt),
		editedAt: isoOrNull(live?.editedAt),
		prompt: live?.prompt ?? null,
		session: (post.sessionId && sessions.get(post.sessionId)) || null,
		replyTo: post.parentId ?? null
	};
}
