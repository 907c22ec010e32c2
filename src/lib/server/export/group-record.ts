/*
 * A group's record for the practice, exported by its facilitators: the group, who was in it and when,
 * its sessions, its agreements and who signed which, and the board's posts (archives included) with
 * their authors' names. Nothing from care threads, journals or the staff space: those have narrower
 * audiences than "the group's record".
 */
import { asc, eq, inArray } from 'drizzle-orm';
import { listPosts } from '$lib/board/posts';
import { db } from '../db';
import { agreement, agreementSignature, group, groupMember, programSession, user } from '../db/schema';
import { describeSession } from '../schedule/program';
import { readBoardAndArchives } from '../archive/read';
import { describePost, indexSessions } from './documents';
import { EXPORT_VERSION, GROUP_RECORD_FORMAT, iso, isoOrNull, type GroupRecord, type RecordPost } from './shape';

/**
 * The group's record as of `now`. Callers must have checked that `actorId` facilitates the group and
 * confirmed their password.
 */
export async function collectGroupRecord(groupId: string, actorId: string, now = new Date()): Promise<GroupRecord> {
	const [found] = await db.select().from(group).where(eq(group.id, groupId));
	if (!found) throw new Error('No such group');
	const [actor] = await db
		.select({ id: user.id, displayName: user.displayName })
		.from(user)
		.where(eq(user.id, actorId));
	const [members, sessions, agreements, signatures] = await Promise.all([
		db
			.select({
				userId: groupMember.userId,
				displayName: user.displayName,
				role: groupMember.role,
				facilitatorKind: groupMember.facilitatorKind,
				status: groupMember.status,
				joinedAt: groupMember.joinedAt,
				endedAt: groupMember.endedAt
			})
			.from(groupMember)
			.innerJoin(user, eq(user.id, groupMember.userId))
			.where(eq(groupMember.groupId, groupId))
			.orderBy(asc(groupMember.joinedAt)),
		db.select().from(programSession).where(eq(programSession.groupId, groupId)).orderBy(asc(programSession.startsAt)),
		db.select().from(agreement).where(eq(agreement.groupId, groupId)).orderBy(asc(agreement.version)),
		db
			.select({
				userId: agreementSignature.userId,
				displayName: user.displayName,
				agreementVersion: agreementSignature.version,
				typedName: agreementSignature.typedName,
				signedAt: agreementSignature.signedAt
			})
			.from(agreementSignature)
			.innerJoin(user, eq(user.id, agreementSignature.userId))
			.where(eq(agreementSignature.groupId, groupId))
			.orderBy(asc(agreementSignature.signedAt))
	]);
	const sessionIndex = indexSessions(sessions);

	const posts = (
		await readBoardAndArchives(groupId, (doc, place) =>
			listPosts(doc).map((post): RecordPost => ({
				...describePost(post, sessionIndex),
				authorId: post.state === 'live' ? post.authorId : null,
				authorName: null,
				place,
				removed: post.state === 'removed' ? { how: post.removal, at: iso(post.removedAt) } : null
			}))
		)
	)
		.flat()
		.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
	// Authors who have left the group keep their name on what they wrote.
	const authorIds = [...new Set(posts.flatMap((post) => (post.authorId ? [post.authorId] : [])))];
	const names = new Map(
		authorIds.length === 0
			? []
			: (
					await db.select({ id: user.id, displayName: user.displayName }).from(user).where(inArray(user.id, authorIds))
				).map((row) => [row.id, row.displayName])
	);
	for (const post of posts) if (post.authorId) post.authorName = names.get(post.authorId) ?? 'A former member';

	return {
		format: GROUP_RECORD_FORMAT,
		version: EXPORT_VERSION,
		exportedAt: iso(now),
		exportedBy: { id: actorId, displayName: actor?.displayName ?? '' },
		group: {
			id: found.id,
			name: found.name,
			description: found.description,
			lifecycle: found.lifecycle,
			timeZone: found.timeZone,
			capacity: found.capacity,
			createdAt: iso(found.createdAt)
		},
		members: members.map((m) => ({ ...m, joinedAt: iso(m.joinedAt), endedAt: isoOrNull(m.endedAt) })),
		sessions: sessions.map((s) => ({
			id: s.id,
			label: describeSession(s),
			kind: s.kind,
			number: s.number,
			startsAt: iso(s.startsAt),
			state: s.state
		})),
		agreements: agreements.map((a) => ({
			version: a.version,
			kind: a.kind,
			publishedAt: iso(a.createdAt),
			text: a.body
		})),
		signatures: signatures.map((s) => ({ ...s, signedAt: iso(s.signedAt) })),
		posts
	};
}
