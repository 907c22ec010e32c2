import { createContext } from 'svelte';
import type { RealtimeDocument } from '$lib/realtime/realtime-document.svelte';
import { createThreadActions, MinuteClock, type ThreadActions } from '$lib/realtime/thread-space.svelte';

export type Role = 'facilitator' | 'member';
export type Person = { name: string; role: Role };

/**
 * What every thread card in one space shares, set once by the board (or a care or journal space) and
 * read by each card and its moderation menu, instead of being passed down through every level.
 * Reactive values are getters.
 */
export interface ThreadSpaceContext {
	readonly space: RealtimeDocument;
	readonly meId: string;
	readonly role: Role;
	readonly canWrite: boolean;
	/** Someone reading without being in the group (emergency access): no tools at all, not even flagging. */
	readonly readOnly: boolean;
	/** The minute clock, for "5 minutes ago". */
	readonly now: number;
	personOf(userId: string): Person;
	readonly actions: ThreadActions;
}

const [getThreadSpace, setThreadSpace] = createContext<ThreadSpaceContext>();
export { getThreadSpace };

/**
 * Sets up the thread space of one live document for the cards below: who is who, the clock, and reply,
 * edit, delete and react as the signed-in person (`write` creates posts after the caller's own checks).
 * Call while the component initialises; the person does not change while the page is open.
 */
export function provideThreadSpace(options: {
	space: RealtimeDocument;
	me: { id: string; displayName: string };
	role: Role;
	people: () => { id: string; name: string; role: Role }[];
	canWrite: () => boolean;
	readOnly?: boolean;
	write: (body: string, parentId?: string) => string | null;
}): ThreadSpaceContext {
	const { space, me, role } = options;
	const names = $derived(new Map(options.people().map((person) => [person.id, person])));
	const clock = new MinuteClock();
	const context: ThreadSpaceContext = {
		space,
		meId: me.id,
		role,
		readOnly: options.readOnly ?? false,
		get canWrite() {
			return options.canWrite();
		},
		get now() {
			return clock.now;
		},
		personOf(userId) {
			if (userId === me.id) return { name: me.displayName, role };
			return names.get(userId) ?? { name: 'Someone who has left', role: 'member' };
		},
		actions: createThreadActions(space, me.id, options.write)
	};
	setThreadSpace(context);
	return context;
}
