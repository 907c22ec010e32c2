/*
 * The change policy: the security boundary between a person's device and everyone else's.
 *
 * Yjs has no permissions, so the realtime server runs every incoming update through `checkUpdate`
 * before the update is stored or forwarded. `checkUpdate` applies the update to the given document
 * inside one transaction and, before the transaction ends, inspects exactly what it did to the store:
 *
 *   - new structs: every struct whose clock is at or past the transaction's `beforeState` for its client
 *     (Yjs never changes an existing item: every write is a new item, every removal a deletion);
 *   - deletions: every struct in `transaction.deleteSet`, which includes the implicit ones — a map entry
 *     overwritten by a newer value, children of a deleted map, items carrying ContentDeleted — not only
 *     those the update lists explicitly;
 *   - the values before and after, read from the items themselves: "before" is the right-most item of a
 *     map key that existed before the transaction (deleted content stays readable until the transaction
 *     cleans up), so an update cannot change an author and act on the changed author in one go.
 *
 * It deliberately does not rely on `transaction.changed` / events: those skip types created in the same
 * transaction, which is exactly where a crafted update would hide things.
 *
 * Each change is located by walking item → parent type → parent item up to a root, giving a path such as
 * posts/<postId>/reactions/<kind>:<userId>, and judged by the rules for that root (who may write or
 * delete what); then every entity touched (a post, a round) is re-read as a whole with the same strict
 * readers the client uses, so the result must be a well-formed post, round or record.
 *
 * Yjs cannot undo a transaction, so after a refusal the document holds the refused change: the caller
 * must throw it away and rebuild it from what was accepted before (the realtime room reloads it from
 * storage) before anything reads it. The document needs `gc: true` (the default) so removed content
 * really goes.
 */
import * as Y from 'yjs';
import { findCoolOffEnd, type CoolOffWindow } from './cool-off';
import type { DocumentKind, ParsedDocumentName } from './document-names';
import type { BoardFact } from './facts';
import { getAlumniSettings, isQuiet, mayOpenRound, readRound } from './facilitation';
import { EDITABLE_POST_FIELDS, readPost, type PostRoot } from './posts';
import {
	LIMITS,
	POST_KINDS_BY_DOCUMENT,
	ROOTS,
	isAlumniSettings,
	isFlag,
	isHeldPost,
	isHiddenPost,
	isId,
	isMark,
	isNotice,
	isSessionState,
	isTime,
	parseReactionKey,
	type Check,
	type PostKind
} from './schema';

export type PolicyContext = {
	userId: string;
	role: 'facilitator' | 'member';
	/** False for muted members, archived groups and read-only connections: they may change nothing. */
	canWrite: boolean;
	document: ParsedDocumentName;
	/** The server's clock (ms); defaults to `Date.now()`. For tests. */
	now?: number;
	/** The group's cool-off windows after its journeys (cool-off.ts), for a member on the group board. */
	coolOff?: readonly CoolOffWindow[];
};

export type PolicyResult =
	| {
			ok: true;
			/** Yjs client ids that wrote new structs in this update: for binding client ids to users. */
			clients: number[];
			/** What the change did that others may be told about (facts.ts). */
			facts: BoardFact[];
	  }
	| { ok: false; reason: string };

/** Creates the document's roots as Y.Maps, so updates resolve into typed maps. Idempotent. */
export function prepareDocument(doc: Y.Doc, kind: DocumentKind): void {
	for (const root of ROOTS[kind]) doc.getMap(root);
}

/**
 * Applies `update` to `shadow` and decides whether `ctx` may make that change.
 * On `{ ok: false }` the document is dirty: rebuild it before anything else reads it.
 * Never throws for bad input: garbage, truncated or hostile bytes are refusals.
 */
export function checkUpdate(shadow: Y.Doc, update: Uint8Array, ctx: PolicyContext): PolicyResult {
	let result: PolicyResult = refuse('The update was not inspected');
	try {
		prepareDocument(shadow, ctx.document.kind);
		shadow.transact((transaction) => {
			Y.applyUpdate(shadow, update);
			// Structs waiting for others could later be completed by someone else's update and take
			// effect under their name; the sender must send whole updates.
			if (shadow.store.pendingStructs !== null || shadow.store.pendingDs !== null) {
				result = refuse('The update depends on changes the server does not have');
				return;
			}
			result = new Inspection(shadow, transaction, ctx).run();
		}, POLICY_ORIGIN);
	} catch {
		return refuse('The update could not be read');
	}
	return result;
}

/** Marks the shadow's transactions, so an observer on a shadow can tell them apart. */
export const POLICY_ORIGIN = Symbol('hearth-policy-check');

class Refusal extends Error {}

function refuse(reason: string): { ok: false; reason: string } {
	return { ok: false, reason };
}

type Change = {
	/** Keys from the root down to the changed item, e.g. [postId, 'reactions', 'metoo:<userId>']. */
	keys: string[];
	/** The items along that path: chain[0] is the root's entry, the last is the changed item itself. */
	chain: Y.Item[];
	item: Y.Item;
};

interface RootRules {
	/** A new, still-visible item somewhere under this root. */
	checkNew(change: Change): void;
	/** An item that existed before this update and is deleted by it. */
	checkDelete(change: Change): void;
	/** The root's entry `key` as it is after the update, for every entry the update touched. */
	checkEntry(key: string): void;
}

class Inspection {
	readonly rootNames = new Map<Y.AbstractType<unknown>, string>();
	readonly rules = new Map<string, RootRules>();
	/** Every item this transaction deleted (new or old). */
	readonly deletedNow = new Set<Y.Item>();
	readonly touched = new Map<string, Set<string>>();
	readonly facts: BoardFact[] = [];
	readonly now: number;

	constructor(
		readonly doc: Y.Doc,
		readonly transaction: Y.Transaction,
		readonly ctx: PolicyContext
	) {
		this.now = ctx.now ?? Date.now();
	}

	run(): PolicyResult {
		try {
			return this.inspect();
		} catch (error) {
			if (error instanceof Refusal) return refuse(error.message);
			throw error;
		}
	}

	private inspect(): PolicyResult {
		const { ctx, doc } = this;
		const allowedRoots: readonly string[] = ROOTS[ctx.document.kind];
		for (const [name, type] of doc.share) {
			if (!allowedRoots.includes(name) || !(type instanceof Y.Map)) {
				throw new Refusal('The update writes outside the document schema (unknown top-level type)');
			}
			this.rootNames.set(type as Y.AbstractType<unknown>, name);
		}

		const { items: newItems, clients } = this.collectNewStructs();
		const deletedOld: Y.Item[] = [];
		Y.iterateDeletedStructs(this.transaction, this.transaction.deleteSet, (struct) => {
			if (!(struct instanceof Y.Item)) return;
			this.deletedNow.add(struct);
			if (!this.isNew(struct)) deletedOld.push(struct);
		});

		// Nothing new and nothing removed: e.g. the empty sync step every client sends on connect,
		// or structs the server already has. Harmless for anyone, read-only or not.
		if (clients.length === 0 && deletedOld.length === 0) return { ok: true, clients, facts: this.facts };
		if (!ctx.canWrite) throw new Refusal('This connection is read-only');
		if (!mayWriteDocument(ctx)) throw new Refusal('You cannot write to this document');

		this.installRules();
		for (const item of newItems) {
			// An item that arrives deleted (or is deleted in the same update) never becomes visible;
			// what it does to others — overwriting a map entry — shows up as a deletion and is judged there.
			if (item.deleted) continue;
			checkContentKind(item);
			const change = this.locate(item);
			this.rulesFor(change).checkNew(change);
		}
		for (const item of deletedOld) {
			const change = this.locate(item);
			this.rulesFor(change).checkDelete(change);
		}
		for (const [root, keys] of this.touched) {
			const rules = this.rules.get(root)!;
			for (const key of keys) rules.checkEntry(key);
		}
		return { ok: true, clients, facts: this.facts };
	}

	private collectNewStructs(): { items: Y.Item[]; clients: number[] } {
		const items: Y.Item[] = [];
		const clients: number[] = [];
		for (const [client, structs] of this.doc.store.clients) {
			const from = this.transaction.beforeState.get(client) ?? 0;
			if (Y.getState(this.doc.store, client) <= from) continue;
			clients.push(client);
			for (let i = Y.findIndexSS(structs, from); i < structs.length; i++) {
				const struct = structs[i];
				// GC structs are placeholders for collected content: no parent, no value, no effect.
				if (struct instanceof Y.Item) items.push(struct);
			}
		}
		return { items, clients };
	}

	isNew(item: Y.Item): boolean {
		return item.id.clock >= (this.transaction.beforeState.get(item.id.client) ?? 0);
	}

	touch(root: string, key: string): void {
		let keys = this.touched.get(root);
		if (!keys) this.touched.set(root, (keys = new Set()));
		keys.add(key);
	}

	private locate(item: Y.Item): Change & { root: string } {
		const keys: string[] = [];
		const chain: Y.Item[] = [];
		let current: Y.Item | null = item;
		let type: Y.AbstractType<unknown> | null = null;
		while (current !== null) {
			// Everything in a Hearth document is a map entry; sequence content has no place in the schema.
			if (current.parentSub === null || !(current.parent instanceof Y.AbstractType)) {
				throw new Refusal('The update writes outside the document schema (not a map entry)');
			}
			keys.unshift(current.parentSub);
			chain.unshift(current);
			type = current.parent as Y.AbstractType<unknown>;
			current = type._item;
		}
		const root = type && this.rootNames.get(type);
		if (!root) throw new Refusal('The update writes outside the document schema (unknown parent)');
		return { root, keys, chain, item };
	}

	private rulesFor(change: Change & { root: string }): RootRules {
		const rules = this.rules.get(change.root);
		if (!rules) throw new Refusal('The update writes outside the document schema');
		return rules;
	}

	/**
	 * The value a map key held before this update, read from the items themselves: the right-most item
	 * for the key that existed before the transaction, unless it had already been deleted before it.
	 */
	beforeValue(map: Y.AbstractType<unknown>, key: string): { present: boolean; value: unknown } {
		let item: Y.Item | null = map._map.get(key) ?? null;
		while (item !== null && this.isNew(item)) item = item.left;
		if (item === null || (item.deleted && !this.deletedNow.has(item))) return { present: false, value: undefined };
		return { present: true, value: itemValue(item) };
	}

	/** Whether a map key held anything before this update, even something since deleted or moved away. */
	heldBefore(map: Y.AbstractType<unknown>, key: string): boolean {
		let item: Y.Item | null = map._map.get(key) ?? null;
		while (item !== null && this.isNew(item)) item = item.left;
		return item !== null;
	}

	/** Pins and locks: facilitators mark a thread, signed by whoever marks it. */
	private installMarkRules(): void {
		for (const root of ['pins', 'locks']) {
			this.rules.set(
				root,
				new RecordRules(this, root, {
					key: isId,
					value: isMark,
					writers: (ctx: PolicyContext) => ctx.role === 'facilitator',
					signed: true
				})
			);
		}
	}

	private installRules(): void {
		const kind = this.ctx.document.kind;
		const facilitatorsOnly = (ctx: PolicyContext) => ctx.role === 'facilitator';
		switch (kind) {
			case 'group':
				this.rules.set(
					'posts',
					new PostRules(this, 'posts', POST_KINDS_BY_DOCUMENT.group, { moderated: true, group: true })
				);
				this.rules.set('rounds', new RoundRules(this));
				this.rules.set(
					'facilitation',
					new RecordRules(this, 'facilitation', {
						key: (k) => k === 'session' || k === 'alumni',
						value: isFacilitationEntry,
						writers: facilitatorsOnly,
						signed: true
					})
				);
				this.installMarkRules();
				break;
			case 'archive':
				this.rules.set(
					'posts',
					new PostRules(this, 'posts', POST_KINDS_BY_DOCUMENT.archive, { moderated: true, group: true, archive: true })
				);
				this.rules.set('rounds', new KeptAsItWas());
				this.installMarkRules();
				break;
			case 'care':
				this.rules.set(
					'posts',
					new PostRules(this, 'posts', POST_KINDS_BY_DOCUMENT.care, { moderated: true, group: false })
				);
				this.rules.set(
					'notices',
					new RecordRules(this, 'notices', { key: isId, value: isNotice, writers: facilitatorsOnly, signed: true })
				);
				break;
			case 'journal':
				this.rules.set(
					'posts',
					new PostRules(this, 'posts', POST_KINDS_BY_DOCUMENT.journal, { moderated: false, group: false })
				);
				// Only the journal's owner writes here at all (mayWriteDocument).
				this.rules.set(
					'held',
					new RecordRules(this, 'held', {
						key: isId,
						value: isHeldPost,
						writers: () => true,
						signed: false,
						keyIsId: true
					})
				);
				break;
			case 'staff':
				this.rules.set(
					'notes',
					new PostRules(this, 'notes', POST_KINDS_BY_DOCUMENT.staff, { moderated: true, group: false })
				);
				this.rules.set(
					'flags',
					new RecordRules(this, 'flags', {
						key: isId,
						value: isFlag,
						writers: facilitatorsOnly,
						signed: false,
						keyIsId: true
					})
				);
				this.rules.set(
					'hidden',
					new RecordRules(this, 'hidden', { key: isId, value: isHiddenPost, writers: facilitatorsOnly, signed: true })
				);
				break;
		}
	}
}

/** `facilitation/session` is the session phase; `facilitation/alumni` says who opens alumni rounds. */
function isFacilitationEntry(value: unknown, key: string): boolean {
	return key === 'session' ? isSessionState(value) : key === 'alumni' ? isAlumniSettings(value) : false;
}

/** Who may write to a document at all, before any finer rule. The server also checks who may open it. */
function mayWriteDocument(ctx: PolicyContext): boolean {
	const { document } = ctx;
	switch (document.kind) {
		case 'group':
		case 'archive':
			return true;
		case 'care':
			return ctx.role === 'facilitator' || ctx.userId === document.userId;
		case 'journal':
			return ctx.userId === document.userId;
		case 'staff':
			return ctx.role === 'facilitator';
	}
}

/** Only two kinds of content exist in Hearth documents: one JSON value, or a nested Y.Map. */
function checkContentKind(item: Y.Item): void {
	const content = item.content;
	if (content instanceof Y.ContentAny && content.getLength() === 1) return;
	if (content instanceof Y.ContentType && content.type instanceof Y.Map) return;
	throw new Refusal('The update writes outside the document schema (content type)');
}

function itemValue(item: Y.Item): unknown {
	const content = item.content;
	if (content instanceof Y.ContentType) return content.type;
	if (content instanceof Y.ContentAny) return content.getContent()[content.getLength() - 1];
	return undefined;
}

function isMapItem(item: Y.Item): boolean {
	return item.content instanceof Y.ContentType && item.content.type instanceof Y.Map;
}

class PostRules implements RootRules {
	private readonly posts: Y.Map<unknown>;

	constructor(
		private readonly ins: Inspection,
		private readonly root: PostRoot,
		private readonly kinds: readonly PostKind[],
		private readonly options: {
			/** Facilitators may remove anyone's post here (hide, redact). */
			moderated: boolean;
			/** The group board: thread locks and journey quiet mode apply. */
			group: boolean;
			/** A finished session or quarter: its threads take replies, but no new thread starts here. */
			archive?: boolean;
		}
	) {
		this.posts = ins.doc.getMap(root);
	}

	private get ctx() {
		return this.ins.ctx;
	}

	private mayModerate(): boolean {
		return this.options.moderated && this.ctx.role === 'facilitator';
	}

	/** The author of an existing post as it was before this update (tombstones have none). */
	private authorBefore(postItem: Y.Item): unknown {
		if (!isMapItem(postItem)) return undefined;
		return this.ins.beforeValue((postItem.content as Y.ContentType).type as Y.AbstractType<unknown>, 'authorId').value;
	}

	checkNew({ keys, chain }: Change): void {
		const [postId, field, sub] = keys;
		if (!isId(postId)) throw new Refusal('Malformed post id');
		this.ins.touch(this.root, postId);
		const postItem = chain[0];
		// A post created (or replaced whole) by this update is judged as a whole in checkEntry.
		if (this.ins.isNew(postItem)) {
			if (keys.length === 3 && field === 'reactions') this.checkReactionKey(sub);
			if (keys.length > 3) throw new Refusal('The update writes outside the document schema (post)');
			return;
		}
		if (keys.length === 2) {
			if (!(EDITABLE_POST_FIELDS as readonly string[]).includes(field)) {
				throw new Refusal('Only the words of a post can be edited');
			}
			if (this.authorBefore(postItem) !== this.ctx.userId) throw new Refusal('Only the author can edit a post');
			return;
		}
		if (keys.length === 3 && field === 'reactions') {
			this.checkReactionKey(sub);
			this.noteMeToo(postId, postItem, sub);
			return;
		}
		throw new Refusal('The update writes outside the document schema (post)');
	}

	private checkReactionKey(key: string): void {
		const reaction = parseReactionKey(key);
		if (!reaction) throw new Refusal('Malformed reaction');
		if (reaction.userId !== this.ctx.userId) throw new Refusal('Reactions can only be given in your own name');
	}

	/** A "me too" on an existing post, the first under this key (taking it back and again says nothing new). */
	private noteMeToo(postId: string, postItem: Y.Item, key: string): void {
		if (parseReactionKey(key)?.kind !== 'metoo' || !isMapItem(postItem)) return;
		const reactions = ((postItem.content as Y.ContentType).type as Y.Map<unknown>).get('reactions');
		if (reactions instanceof Y.Map && this.ins.heldBefore(reactions as Y.AbstractType<unknown>, key)) return;
		const author = this.authorBefore(postItem);
		if (typeof author === 'string') this.ins.facts.push({ kind: 'metoo', postId, postAuthorId: author });
	}

	checkDelete({ keys, chain, item }: Change): void {
		const [postId, field, sub] = keys;
		this.ins.touch(this.root, postId);
		// Everything inside a post goes with it; the post's own removal is judged on its own.
		if (keys.length > 1 && this.ins.deletedNow.has(chain[0])) return;
		if (keys.length === 1) {
			if (this.authorBefore(item) === this.ctx.userId || this.mayModerate()) return;
			throw new Refusal('Only the author or a facilitator can remove a post');
		}
		if (keys.length === 2 && (EDITABLE_POST_FIELDS as readonly string[]).includes(field)) {
			if (this.authorBefore(chain[0]) === this.ctx.userId) return;
			throw new Refusal('Only the author can edit a post');
		}
		if (keys.length === 3 && field === 'reactions') {
			if (parseReactionKey(sub)?.userId === this.ctx.userId) return;
			throw new Refusal('Only your own reactions can be taken back');
		}
		throw new Refusal('That part of a post cannot be removed');
	}

	checkEntry(postId: string): void {
		const value = this.posts.get(postId);
		if (value === undefined && !this.posts.has(postId)) return;
		const post = readPost(value);
		if (!post || post.id !== postId) throw new Refusal('Not a well-formed post');
		const postItem = (value as Y.Map<unknown>)._item!;
		// An existing post: each field change was authorised above, and the result is well formed.
		if (!this.ins.isNew(postItem)) return;

		if (!this.kinds.includes(post.kind)) throw new Refusal('That kind of post does not belong in this document');
		const before = this.ins.beforeValue(this.posts as Y.AbstractType<unknown>, postId);

		if (post.state === 'removed') {
			// Hiding keeps a copy for the facilitators first: only Hearth's server does it (moderation).
			if (post.removal === 'hidden') throw new Refusal('Posts are hidden through moderation');
			// What account deletion leaves: only Hearth's server writes it, after the person's words are gone.
			if (post.removal === 'departed') throw new Refusal('Only account deletion removes a former member’s words');
			// A tombstone only ever replaces a post, keeping its place in the thread.
			const old = before.present ? readPostBefore(this.ins, before.value) : null;
			if (!old || old.removedAt !== undefined) throw new Refusal('Only a post can be removed');
			if (post.removedBy !== this.ctx.userId) throw new Refusal('A removal is signed by whoever removes');
			if (post.removal === 'author' ? old.authorId !== this.ctx.userId : !this.mayModerate()) {
				throw new Refusal('Only the author or a facilitator can remove a post');
			}
			if (
				post.createdAt !== old.createdAt ||
				post.kind !== old.kind ||
				post.parentId !== old.parentId ||
				post.sessionId !== old.sessionId
			) {
				throw new Refusal('A removed post keeps its place in the thread');
			}
			return;
		}

		// An id is used once: a new post never takes the place of another, or of a removed, hidden or
		// archived one (gone from this document, kept in another).
		if (before.present || this.ins.heldBefore(this.posts as Y.AbstractType<unknown>, postId)) {
			throw new Refusal('That post id is already taken');
		}
		if (post.authorId !== this.ctx.userId) throw new Refusal('Posts can only be written in your own name');
		if (post.createdAt > this.ins.now + LIMITS.clockSkewMs) throw new Refusal('A post cannot be dated in the future');
		if (post.editedAt !== undefined && post.editedAt < post.createdAt) throw new Refusal('Not a well-formed post');
		if (post.parentId !== undefined) {
			const parent = readPost(this.posts.get(post.parentId));
			if (!parent) throw new Refusal('The post you replied to is no longer here');
			if (parent.parentId !== undefined) throw new Refusal('Replies go under the original post');
			if (this.options.group && this.ctx.role !== 'facilitator' && this.ins.doc.getMap('locks').has(post.parentId)) {
				throw new Refusal('This thread is closed to new replies');
			}
			if (parent.state === 'live') {
				this.ins.facts.push({ kind: 'reply', postId, parentId: post.parentId, parentAuthorId: parent.authorId });
			}
		}
		if (this.options.archive && post.parentId === undefined) {
			throw new Refusal('That time has ended: reply to what was shared, or share in today’s circle');
		}
		if (this.options.group && !this.options.archive && this.ctx.role !== 'facilitator' && isQuiet(this.ins.doc)) {
			throw new Refusal('The group is quiet during the journey; posting resumes afterwards');
		}
		if (
			this.options.group &&
			post.parentId === undefined &&
			this.ctx.role !== 'facilitator' &&
			findCoolOffEnd(this.ctx.coolOff, this.ins.now) !== null
		) {
			throw new Refusal('Read it once more before it is shared: new posts wait in your journal during the cool-off');
		}
	}
}

/** The fields of a post as they were before this update, read from its (possibly now deleted) map. */
function readPostBefore(ins: Inspection, value: unknown): Record<string, unknown> | null {
	if (!(value instanceof Y.Map)) return null;
	const map = value as Y.AbstractType<unknown>;
	const fields: Record<string, unknown> = {};
	for (const key of ['authorId', 'createdAt', 'kind', 'parentId', 'sessionId', 'removedAt']) {
		fields[key] = ins.beforeValue(map, key).value;
	}
	return fields;
}

/** A root that stays as it was when its time ended (an archive's rounds): nothing in it changes. */
class KeptAsItWas implements RootRules {
	checkNew(): void {
		throw new Refusal('That round has ended');
	}
	checkDelete(): void {
		throw new Refusal('That round has ended');
	}
	checkEntry(): void {}
}

/** Round fields the member who opened an alumni round may change while running it. */
const MEMBER_RUN_FIELDS = ['spotlight', 'timer', 'closedAt'];

class RoundRules implements RootRules {
	private readonly answered = new Set<string>();
	/** Rounds a member opened or ran in this update: judged whole in checkEntry. */
	private readonly runByMember = new Set<string>();

	constructor(private readonly ins: Inspection) {}

	private requireFacilitator(): void {
		if (this.ins.ctx.role !== 'facilitator') throw new Refusal('Only a facilitator can run a round');
	}

	/**
	 * Members may open and run alumni rounds when the group lets them: a new round, or the talking piece,
	 * timer and closing of one they opened. Whether the round qualifies is judged in checkEntry.
	 */
	private requireRunner(roundId: string, chain: Y.Item[], field: string | undefined): void {
		if (this.ins.ctx.role === 'facilitator') return;
		if (!this.ins.isNew(chain[0]) && (field === undefined || !MEMBER_RUN_FIELDS.includes(field)))
			this.requireFacilitator();
		this.runByMember.add(roundId);
	}

	checkNew({ keys, chain }: Change): void {
		const [roundId, field, userId] = keys;
		if (!isId(roundId)) throw new Refusal('Malformed round id');
		this.ins.touch('rounds', roundId);
		if (keys.length === 3 && field === 'answers') {
			if (!isId(userId)) throw new Refusal('Malformed answer');
			if (userId !== this.ins.ctx.userId) throw new Refusal('Answers can only be given in your own name');
			this.answered.add(roundId);
			return;
		}
		if (keys.length > 2) throw new Refusal('The update writes outside the document schema (round)');
		this.requireRunner(roundId, chain, keys.length === 2 ? field : undefined);
		if (keys.length === 2 && field === 'answers' && !this.ins.isNew(chain[0])) {
			throw new Refusal("A round's answers cannot be replaced");
		}
	}

	checkDelete({ keys, chain }: Change): void {
		const [roundId, field, userId] = keys;
		this.ins.touch('rounds', roundId);
		if (keys.length > 1 && this.ins.deletedNow.has(chain[0])) return;
		// Taking back your own answer is yours; a facilitator may also clear one.
		if (keys.length === 3 && field === 'answers' && userId === this.ins.ctx.userId) return;
		if (keys.length === 2) this.requireRunner(roundId, chain, field);
		else this.requireFacilitator();
		if (keys.length === 2 && field === 'answers') throw new Refusal("A round's answers cannot be replaced");
	}

	checkEntry(roundId: string): void {
		const rounds = this.ins.doc.getMap('rounds');
		if (!rounds.has(roundId)) return;
		const round = readRound(rounds.get(roundId));
		if (!round || round.id !== roundId) throw new Refusal('Not a well-formed round');
		if (this.answered.has(roundId) && round.closedAt !== undefined) throw new Refusal('This round has closed');
		if (this.runByMember.has(roundId)) {
			const { ctx, doc } = this.ins;
			const alumni = round.alumni === true;
			if (!mayOpenRound({ role: ctx.role, alumni, roundsBy: getAlumniSettings(doc) })) {
				throw new Refusal(
					alumni ? 'In this group, alumni rounds are opened by the facilitators' : 'Only a facilitator can run a round'
				);
			}
			const roundMap = rounds.get(roundId) as Y.AbstractType<unknown>;
			const opener = this.ins.isNew(roundMap._item!)
				? round.openedBy
				: this.ins.beforeValue(roundMap, 'openedBy').value;
			if (opener !== ctx.userId || round.openedBy !== ctx.userId)
				throw new Refusal('Only a facilitator or whoever opened it can run a round');
			if (round.answers.size > 0 && this.ins.isNew(roundMap._item!))
				throw new Refusal('A new round starts without answers');
		}
		if (this.ins.isNew((rounds.get(roundId) as Y.AbstractType<unknown>)._item!)) {
			this.ins.facts.push({ kind: 'round_opened', roundId });
		}
	}
}

class RecordRules implements RootRules {
	constructor(
		private readonly ins: Inspection,
		private readonly root: string,
		private readonly spec: {
			key: Check;
			/** Gets the entry's key too, for roots whose keys hold different kinds of value. */
			value: (value: unknown, key: string) => boolean;
			writers: (ctx: PolicyContext) => boolean;
			/** The value's `by` must be whoever writes it. */
			signed: boolean;
			/** The value's `id` must equal its key. */
			keyIsId?: boolean;
		}
	) {}

	checkNew({ keys, item }: Change): void {
		if (!this.spec.writers(this.ins.ctx)) throw new Refusal('Only a facilitator can change this');
		if (keys.length !== 1 || !this.spec.key(keys[0]))
			throw new Refusal(`The update writes outside the document schema (${this.root})`);
		const value = itemValue(item);
		if (!(item.content instanceof Y.ContentAny) || !this.spec.value(value, keys[0])) {
			throw new Refusal(`Not a well-formed ${this.root} entry`);
		}
		const record = value as Record<string, unknown>;
		if (this.spec.signed && record.by !== this.ins.ctx.userId)
			throw new Refusal('Entries are signed by whoever writes them');
		if (this.spec.keyIsId && record.id !== keys[0]) throw new Refusal(`Not a well-formed ${this.root} entry`);
		if (isTime(record.at) && (record.at as number) > this.ins.now + LIMITS.clockSkewMs) {
			throw new Refusal('An entry cannot be dated in the future');
		}
	}

	checkDelete({ keys }: Change): void {
		if (!this.spec.writers(this.ins.ctx)) throw new Refusal('Only a facilitator can change this');
		if (keys.length !== 1) throw new Refusal(`The update writes outside the document schema (${this.root})`);
	}

	checkEntry(): void {}
}
