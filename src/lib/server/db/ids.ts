import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** A random, unguessable id (120 bits), so ids reveal nothing and cannot be enumerated. */
export function generateId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(15));
	return encodeBase32LowerCaseNoPadding(bytes);
}
