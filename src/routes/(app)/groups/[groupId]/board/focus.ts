import { tick } from 'svelte';
import type { Attachment } from 'svelte/attachments';

// Keyboard care for the board's boxes and panels: a box closes with Escape as well as with its button, and
// when something the person was in goes away, their focus goes to where they can carry on (the button that
// opened it, the round they are in) instead of falling back to the start of the page.

/**
 * Runs `close` on Escape inside the element; it returns false when there was nothing to close. An inner box
 * closes first, and the outer one stays.
 */
export function onEscape(close: () => boolean): Attachment<HTMLElement> {
	return (node) => {
		const keydown = (event: KeyboardEvent) => {
			if (event.key !== 'Escape' || event.defaultPrevented) return;
			if (close()) event.preventDefault();
		};
		node.addEventListener('keydown', keydown);
		return () => node.removeEventListener('keydown', keydown);
	};
}

/** Whether the person's focus is inside `box`, or already lost to the page: then closing it hands focus on. */
export function hasFocusWithin(box: Element | null | undefined): boolean {
	const active = document.activeElement;
	return !active || active === document.body || (!!box && box.contains(active));
}

/** Focuses the element once the page has updated (it may only appear with this change). */
export async function focusSoon(element: () => HTMLElement | null | undefined): Promise<void> {
	await tick();
	element()?.focus();
}
