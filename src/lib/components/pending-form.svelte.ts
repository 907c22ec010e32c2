import type { SubmitFunction } from '@sveltejs/kit';

/**
 * Progressive enhancement for forms that keep what the person typed when the server refuses it,
 * and show that a submission is on its way: `<form use:enhance={pending.submit}>`,
 * `<button disabled={pending.busy}>`.
 */
export class PendingForm {
	busy = $state(false);

	submit: SubmitFunction = () => {
		this.busy = true;
		return async ({ update }) => {
			await update({ reset: false });
			this.busy = false;
		};
	};
}
