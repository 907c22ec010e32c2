import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/**
 * A random id for something created inside a document (post, round, note), made on the device that
 * creates it so it can be written offline. 120 bits, the same form as the server's `generateId`, so ids
 * reveal nothing, cannot collide in practice and pass `isId`.
 */
export function createBoardId(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(15)));
}
