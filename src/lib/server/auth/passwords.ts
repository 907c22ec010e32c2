import { hash, verify } from '@node-rs/argon2';
import { PASSWORD_MAX_LENGTH } from '$lib/password-rules';

// OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 };

export function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	if (password.length > PASSWORD_MAX_LENGTH) return false;
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, so a missing account cannot be told from a wrong password. */
export async function verifyAgainstDummy(password: string): Promise<false> {
	dummyHash ??= hashPassword('hearth-timing-equaliser');
	await verifyPassword(await dummyHash, password);
	return false;
}
