import { afterNavigate } from '$app/navigation';
import { resolve } from '$app/paths';

/** Often enough that a reply shows in the header while someone stays on one page; never while the tab is hidden. */
const REFRESH_MS = 60_000;

/**
 * The header's unread count. Each navigation brings it with the page; while a page stays open it is re-read
 * every minute and whenever the tab comes back into view. Create while a component initialises.
 */
export class UnreadCount {
	#fetched = $state<number | null>(null);
	readonly #loaded: () => number;

	constructor(loaded: () => number) {
		this.#loaded = loaded;
		afterNavigate(() => (this.#fetched = null));
		$effect(() => {
			const refresh = () => {
				if (document.visibilityState === 'visible') void this.#refresh();
			};
			const timer = setInterval(refresh, REFRESH_MS);
			document.addEventListener('visibilitychange', refresh);
			return () => {
				clearInterval(timer);
				document.removeEventListener('visibilitychange', refresh);
			};
		});
	}

	get value(): number {
		return this.#fetched ?? this.#loaded();
	}

	async #refresh(): Promise<void> {
		try {
			const response = await fetch(resolve('/notifications/unread'));
			// Signed out meanwhile (the answer is the sign-in page), or offline: keep what is shown.
			if (!response.ok || !response.headers.get('content-type')?.includes('application/json')) return;
			const { unread } = (await response.json()) as { unread: number };
			this.#fetched = unread;
		} catch {
			// Offline: the count stays as it was until the network is back.
		}
	}
}
