import { applyAction } from '$app/forms';
import type { SubmitFunction } from '@sveltejs/kit';

/** What a moderation request came to, for the person who sent it. */
export type ModerationOutcome = { tone: 'calm' | 'alert'; text: string };

/**
 * Flag, hide, remove, restore or resolve, sent to /groups/<g>/moderation from a page that stays where it
 * is (`<form use:enhance={request.submit}>`): the answer shows beside the controls as `outcome`, never as
 * the page's own form result; a redirect or an error is applied as usual.
 */
export class ModerationRequest {
	busy = $state(false);
	outcome = $state<ModerationOutcome | null>(null);
	readonly #onDone: () => void;

	/** `onDone` runs once the server has done it, before the outcome shows (e.g. to close a panel). */
	constructor(onDone: () => void = () => {}) {
		this.#onDone = onDone;
	}

	submit: SubmitFunction = () => {
		this.busy = true;
		this.outcome = null;
		return async ({ result }) => {
			this.busy = false;
			if (result.type === 'success') {
				this.#onDone();
				this.outcome = { tone: 'calm', text: String(result.data?.done ?? 'Done.') };
			} else if (result.type === 'failure') {
				this.outcome = { tone: 'alert', text: String(result.data?.message ?? 'That did not work. Please try again.') };
			} else {
				await applyAction(result);
			}
		};
	};
}
