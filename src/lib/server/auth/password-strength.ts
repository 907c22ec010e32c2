// Whether a new password is too easy to guess, as zxcvbn estimates it (@zxcvbn-ts): common passwords and
// their variants, names, dictionary words, keyboard walks, dates, repeats. Server-side only: its
// dictionaries are megabytes and never belong in the browser bundle. Applied to admin and staff accounts
// (docs/sign-in.md says why members keep the length rule only).
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type { PracticeRole } from '../db/schema';

// zxcvbn's 3: "safely unguessable", about 10^8 guesses or more. Below it a password is, or is close to,
// something on the lists attackers try first.
const MIN_SCORE = 3;

export const GUESSABLE_PASSWORD =
	'That password is too easy to guess: it is, or looks like, a commonly used one. A few unrelated words together work well.';

// The dictionaries are loaded and the matcher built (~0.7 s) on first use, once per process: most
// processes never set a staff password, and the dictionaries would cost every one of them megabytes at rest.
let estimator: Promise<ZxcvbnFactory> | null = null;

function getEstimator(): Promise<ZxcvbnFactory> {
	estimator ??= (async () => {
		const [{ ZxcvbnFactory }, common, english] = await Promise.all([
			import('@zxcvbn-ts/core'),
			import('@zxcvbn-ts/language-common'),
			import('@zxcvbn-ts/language-en')
		]);
		return new ZxcvbnFactory({
			// The estimate is synchronous and grows with length (about a second for 250 characters here): only
			// the first 64 characters are weighed, which is plenty to tell a common password from a passphrase.
			maxLength: 64,
			dictionary: { ...common.dictionary, ...english.dictionary },
			graphs: common.adjacencyGraphs,
			translations: english.translations
		});
	})();
	return estimator;
}

/** Admin and staff accounts reach many people's content: their passwords must not be guessable. */
export function requiresStrongPassword(role: PracticeRole): boolean {
	return role === 'admin' || role === 'staff';
}

/**
 * True when `password` is too easy to guess. `related`: words an attacker would try for this account
 * (the email, the name), counted as guessable too.
 */
export async function isGuessablePassword(password: string, related: string[] = []): Promise<boolean> {
	// Each word, and all of them run together ("rowan.quill@…" → rowan, quill, rowanquill).
	const words = related.flatMap((text) => {
		const parts = text
			.toLowerCase()
			.split('@')[0]
			.split(/[^\p{L}\p{N}]+/u);
		return [...parts, parts.join('')].filter((word) => word.length > 2);
	});
	return (await getEstimator()).check(password, [...words, 'hearth']).score < MIN_SCORE;
}
