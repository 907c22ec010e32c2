import { findCoolOffEnd, type CoolOffWindow } from '$lib/board/cool-off';

/** Re-read often enough that a held post can be shared within a minute of the cool-off ending. */
const TICK_MS = 20_000;

/**
 * Whether the group's cool-off is on for this member now, and until when (ms), following the clock while
 * the page is open. The server decides for real (the change policy); this only says so before it must.
 * Create while a component initialises.
 */
export class CoolOffClock {
	#now = $state(Date.now());
	readonly #until: () => number | null;

	constructor(windows: () => readonly CoolOffWindow[]) {
		const until = $derived(findCoolOffEnd(windows(), this.#now));
		this.#until = () => until;
		$effect(() => {
			const timer = setInterval(() => (this.#now = Date.now()), TICK_MS);
			return () => clearInterval(timer);
		});
	}

	/** When the cool-off in force ends, or null when posts go to the group at once. */
	get until(): number | null {
		return this.#until();
	}
}
