import { onMount } from 'svelte';
import { RealtimeDocument } from './realtime-document.svelte';

/**
 * A live document for as long as the calling component is mounted: connected on mount, closed and
 * forgotten when the component goes. Call while a component initialises. The name is read once: a page
 * whose document can change keys the component by its name (`{#key}`), so a new name opens a new one.
 * Without `onRevoked`, a tab whose access ends leaves the page (RealtimeDocument's `leaveRevokedPage`).
 */
export function openRealtimeDocument(
	name: string,
	options?: ConstructorParameters<typeof RealtimeDocument>[1]
): RealtimeDocument {
	const live = new RealtimeDocument(name, options);
	onMount(() => {
		live.start();
		return () => live.stop();
	});
	return live;
}
