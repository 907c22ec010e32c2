// Secrets that travel in a link (an invitation, a calendar feed): 160 random bits, and only their SHA-256 is
// stored, so a database leak yields no usable link.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** 160 random bits, like a session token. */
export function generateSecretToken(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

export function hashSecretToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}
