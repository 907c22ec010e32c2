import { onMount } from 'svelte';
import { beforeNavigate } from '$app/navigation';
import type { BeforeNavigate } from '@sveltejs/kit';

const QUESTION = 'What you wrote here is not saved yet. Leave this page anyway?';

/**
 * Each navigation's answer, so a page with several boxes holding words asks once. SvelteKit hands every
 * `beforeNavigate` callback the same navigation object; this lives only in the browser.
 */
const answers = new WeakMap<BeforeNavigate, boolean>();

/**
 * While `holdsWords()` says so, a link or the back button inside Hearth asks first, and leaving stays
 * only if the person says so. (Closing or reloading the tab is the browser's own question: below.)
 * Call while a component initialises.
 */
export function askBeforeNavigating(holdsWords: () => boolean): void {
	beforeNavigate((navigation) => {
		if (navigation.type === 'leave' || !holdsWords()) return;
		let leave = answers.get(navigation);
		if (leave === undefined) {
			leave = confirm(QUESTION);
			answers.set(navigation, leave);
		}
		if (!leave) navigation.cancel();
	});
}

/**
 * While `holdsWords()` says so, the browser asks before the tab closes or reloads, and Hearth asks before
 * going to another page: words typed into a box live only in this tab's memory, never in browser storage.
 * (Unsaved changes in a live document: the document guards the tab, `askBeforeNavigating` the page.)
 * Call while a component initialises.
 */
export function warnBeforeLeaving(holdsWords: () => boolean): void {
	onMount(() => {
		const warn = (event: BeforeUnloadEvent) => {
			if (holdsWords()) event.preventDefault();
		};
		window.addEventListener('beforeunload', warn);
		return () => window.removeEventListener('beforeunload', warn);
	});
	askBeforeNavigating(holdsWords);
}
