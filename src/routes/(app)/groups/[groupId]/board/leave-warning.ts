import { onMount } from 'svelte';

/**
 * While `holdsWords()` says so, the browser asks before the tab closes or reloads: words typed into a box
 * live only in this tab's memory, never in browser storage. (Unsaved changes in a live document are the
 * document's own to guard: RealtimeDocument.) Call while a component initialises.
 */
export function warnBeforeLeaving(holdsWords: () => boolean): void {
	onMount(() => {
		const warn = (event: BeforeUnloadEvent) => {
			if (holdsWords()) event.preventDefault();
		};
		window.addEventListener('beforeunload', warn);
		return () => window.removeEventListener('beforeunload', warn);
	});
}
