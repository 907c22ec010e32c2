/*
 * The rooms this process has loaded: one per document someone has open, loaded on the first visit,
 * unloaded (after a compaction, if this process wrote to it) `idleUnloadMs` after the last one leaves.
 * A visit during an unload waits for it and loads the document again.
 */
import type { ParsedDocumentName } from '$lib/board/document-names';
import type { Compaction } from './compaction';
import { Room, type RealtimeLog, type RoomDependencies, type RoomMember } from './room';

export class Rooms {
	readonly #loaded = new Map<string, Promise<Room>>();
	readonly #unloading = new Map<string, Promise<void>>();
	readonly #unloadTimers = new Map<string, ReturnType<typeof setTimeout>>();
	readonly #roomDependencies: RoomDependencies;
	readonly #compaction: Compaction;
	readonly #idleUnloadMs: number;
	readonly #afterUnload: (document: ParsedDocumentName) => void;
	readonly #log: RealtimeLog;
	#closing = false;

	constructor(options: {
		roomDependencies: RoomDependencies;
		compaction: Compaction;
		idleUnloadMs: number;
		afterUnload: (document: ParsedDocumentName) => void;
		log: RealtimeLog;
	}) {
		this.#roomDependencies = options.roomDependencies;
		this.#compaction = options.compaction;
		this.#idleUnloadMs = options.idleUnloadMs;
		this.#afterUnload = options.afterUnload;
		this.#log = options.log;
	}

	async load(name: string, parsed: ParsedDocumentName): Promise<Room> {
		const unloading = this.#unloading.get(name);
		if (unloading) await unloading;
		let room = this.#loaded.get(name);
		if (!room) {
			room = Room.load(name, parsed, this.#roomDependencies);
			this.#loaded.set(name, room);
			room.catch(() => this.#loaded.delete(name));
		}
		return room;
	}

	/** The room of a document if it is loaded (or loading) here. */
	find(name: string): Promise<Room> | undefined {
		return this.#loaded.get(name);
	}

	/** Every room loaded or loading here. */
	all(): Iterable<Promise<Room>> {
		return this.#loaded.values();
	}

	/** Waits until a loaded document's changes in flight have committed; nothing when it is not loaded. */
	async settle(name: string): Promise<void> {
		const room = await this.#loaded.get(name)?.catch(() => undefined);
		await room?.settle();
	}

	enter(room: Room, member: RoomMember): void {
		clearTimeout(this.#unloadTimers.get(room.name));
		this.#unloadTimers.delete(room.name);
		room.join(member);
	}

	leave(room: Room, member?: RoomMember): void {
		if (member) room.leave(member);
		if (room.members.size > 0 || this.#closing) return;
		clearTimeout(this.#unloadTimers.get(room.name));
		const timer = setTimeout(() => {
			this.#unloadTimers.delete(room.name);
			if (room.members.size === 0) void this.#unload(room);
		}, this.#idleUnloadMs);
		timer.unref?.();
		this.#unloadTimers.set(room.name, timer);
	}

	/** Documents in memory, counting those still being compacted on their way out. */
	get count(): number {
		return this.#loaded.size + this.#unloading.size;
	}

	/** Unloads every room (after the caller has closed their connections). */
	async close(): Promise<void> {
		this.#closing = true;
		for (const timer of this.#unloadTimers.values()) clearTimeout(timer);
		this.#unloadTimers.clear();
		const rooms = await Promise.all([...this.#loaded.values()].map((room) => room.catch(() => null)));
		await Promise.all(rooms.map((room) => (room ? this.#unload(room) : undefined)));
		await Promise.all(this.#unloading.values());
	}

	#unload(room: Room): Promise<void> {
		if (this.#loaded.get(room.name) === undefined) return Promise.resolve();
		this.#loaded.delete(room.name);
		const done = (async () => {
			await room.settle();
			if (this.#compaction.isDue(room.name)) await this.#compaction.compact(room.name);
			await room.close();
			if (!this.#closing) this.#afterUnload(room.document);
		})()
			.catch((error) => this.#log.error('unloading a document failed', { kind: room.document.kind, error }))
			.finally(() => this.#unloading.delete(room.name));
		this.#unloading.set(room.name, done);
		return done;
	}
}
