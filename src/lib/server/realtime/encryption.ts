/*
 * Encryption of stored document bytes (updates and snapshots).
 *
 *   sealed = iv (12 random bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes)
 *   additional data = "hearth.realtime.v1" 0x00 <purpose> 0x00 <document name>   (purpose: update | snapshot)
 *
 * The same sealing keeps other small secrets at rest under their own purpose, e.g. TOTP secrets
 * (purpose second-factor, document user:<id>: a secret copied to another account fails to open).
 *
 * The additional data binds each row to its document and purpose, so bytes copied into another
 * document's rows, or an update passed off as a snapshot, fail authentication instead of decrypting.
 * Each row stores the id of the key that sealed it: the first 16 hex digits of
 * SHA-256("hearth.data-key.v1" ‖ key). Ids are derived, not configured, so a key is its own id.
 *
 * Where the key comes from (loadDataKeyring):
 *   HEARTH_DATA_KEY set          base64 of exactly 32 bytes; the key new rows are sealed with.
 *   HEARTH_DATA_KEYS_PREVIOUS    comma-separated older keys: rows sealed with them are still read, and
 *                                compaction re-seals them with the current key (that is rotation).
 *   neither, embedded database   a key is generated once into <data dir>/realtime-data-key (mode 600), with a
 *   (or DATABASE_URL without     warning: the key then lives beside the data it protects, which is only
 *   NODE_ENV=production)         acceptable on a single machine that nobody else can read.
 *   neither, DATABASE_URL and    refuse to start: data on a shared server must not be sealed with a key
 *   NODE_ENV=production          that lives on one application host's disk (and other hosts lack it).
 * A generated key file that exists is always read as a previous key, so setting HEARTH_DATA_KEY later
 * keeps old rows readable.
 *
 * Keyed hashes (keyedHash) use a subkey per purpose: HKDF-SHA-256(current key, salt "hearth.keyed-hash.v1",
 * info <purpose>). They stay the same across restarts and processes that share the key, and change when the
 * current key is rotated.
 */
import {
	createCipheriv,
	createDecipheriv,
	createHash,
	createHmac,
	createSecretKey,
	hkdfSync,
	randomBytes,
	randomFillSync,
	type KeyObject
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `check`: the data key check value (key-check.ts), which proves at start-up that the keys open what is stored.
 * `second-factor`: a TOTP secret (auth/second-factor.ts), sealed with the user as its document.
 */
export type SealPurpose = 'update' | 'snapshot' | 'check' | 'second-factor';

/** The document a user's TOTP secret is sealed under: bytes copied to another account fail to open. */
export function secondFactorDocument(userId: string): string {
	return `user:${userId}`;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_FILE = 'realtime-data-key';
const KEYED_HASH_SALT = 'hearth.keyed-hash.v1';

/** Stored bytes this keyring cannot open: sealed with a key it lacks, or altered. Retrying will not help. */
export class UnreadableDataError extends Error {}

export interface Sealed {
	keyId: string;
	data: Uint8Array;
}

export class DataKeyring {
	readonly currentKeyId: string;
	/** As KeyObjects: a raw Buffer key would be checked and imported again on every seal and open. */
	readonly #keys = new Map<string, KeyObject>();
	/** Random bytes handed out as IVs, refilled from the CSPRNG when used up (one call per ~340 IVs). */
	readonly #ivPool = Buffer.alloc(IV_BYTES * 340);
	#ivOffset = this.#ivPool.length;
	readonly #hashKeys = new Map<string, KeyObject>();

	constructor(current: Uint8Array, previous: Uint8Array[] = []) {
		this.currentKeyId = this.#add(current);
		for (const key of previous) this.#add(key);
	}

	#add(key: Uint8Array): string {
		if (key.byteLength !== KEY_BYTES) throw new Error(`A data key must be ${KEY_BYTES} bytes`);
		const id = deriveKeyId(key);
		this.#keys.set(id, createSecretKey(Buffer.from(key)));
		return id;
	}

	/** 12 fresh random bytes; each is handed out once. */
	#nextIv(): Buffer {
		if (this.#ivOffset + IV_BYTES > this.#ivPool.length) {
			randomFillSync(this.#ivPool);
			this.#ivOffset = 0;
		}
		const iv = Buffer.from(this.#ivPool.subarray(this.#ivOffset, this.#ivOffset + IV_BYTES));
		this.#ivOffset += IV_BYTES;
		return iv;
	}

	seal(plain: Uint8Array, document: string, purpose: SealPurpose): Sealed {
		const iv = this.#nextIv();
		const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.currentKeyId)!, iv);
		cipher.setAAD(additionalData(document, purpose));
		const body = Buffer.concat([cipher.update(plain), cipher.final()]);
		return { keyId: this.currentKeyId, data: Buffer.concat([iv, body, cipher.getAuthTag()]) };
	}

	/**
	 * HMAC-SHA-256 (hex) of `value` under a subkey derived for `purpose` (e.g. "hearth.sign-in-keys.v1"):
	 * without the data key nobody can tell which value a hash stands for, and the data key itself never
	 * leaves the keyring.
	 */
	keyedHash(purpose: string, value: string): string {
		let key = this.#hashKeys.get(purpose);
		if (!key) {
			const derived = hkdfSync('sha256', this.#keys.get(this.currentKeyId)!, KEYED_HASH_SALT, purpose, KEY_BYTES);
			key = createSecretKey(Buffer.from(derived));
			this.#hashKeys.set(purpose, key);
		}
		return createHmac('sha256', key).update(value, 'utf8').digest('hex');
	}

	/** Throws when the key is unknown or the bytes were altered or belong to another document or purpose. */
	open(sealed: Sealed, document: string, purpose: SealPurpose): Uint8Array {
		const key = this.#keys.get(sealed.keyId);
		if (!key) throw new UnreadableDataError('Stored document bytes were sealed with a key this server does not have');
		const data = sealed.data;
		if (data.byteLength < IV_BYTES + TAG_BYTES) throw new UnreadableDataError('Stored document bytes are truncated');
		const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
		decipher.setAAD(additionalData(document, purpose));
		decipher.setAuthTag(data.subarray(data.byteLength - TAG_BYTES));
		let plain: Buffer;
		try {
			plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.byteLength - TAG_BYTES)), decipher.final()]);
		} catch {
			throw new UnreadableDataError('Stored document bytes failed authentication');
		}
		return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
	}
}

function deriveKeyId(key: Uint8Array): string {
	return createHash('sha256').update('hearth.data-key.v1').update(key).digest('hex').slice(0, 16);
}

function additionalData(document: string, purpose: SealPurpose): Buffer {
	return Buffer.from(`hearth.realtime.v1\0${purpose}\0${document}`, 'utf8');
}

export function decodeDataKey(encoded: string, name: string): Uint8Array {
	// Node's base64 decoder also reads the URL-safe alphabet.
	const key = Buffer.from(encoded.trim(), 'base64');
	if (key.byteLength !== KEY_BYTES) {
		throw new Error(
			`${name} must be base64 of exactly ${KEY_BYTES} random bytes ` +
				`(make one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`
		);
	}
	return key;
}

export interface KeyringSettings {
	dataKey: string | undefined;
	previousDataKeys: string[];
	databaseUrl: string | undefined;
	dataDir: string;
	environment: 'production' | 'development' | 'test';
}

/** Builds the keyring from the configuration; may create the key file (see the header). Throws when it must refuse. */
export function loadDataKeyring(settings: KeyringSettings, warn: (message: string) => void = console.warn) {
	const previous = settings.previousDataKeys.map((key, index) =>
		decodeDataKey(key, `HEARTH_DATA_KEYS_PREVIOUS[${index}]`)
	);
	const keyFile = path.join(settings.dataDir, KEY_FILE);
	const fileKey = fs.existsSync(keyFile) ? decodeDataKey(fs.readFileSync(keyFile, 'utf8'), keyFile) : undefined;

	if (settings.dataKey) {
		const current = decodeDataKey(settings.dataKey, 'HEARTH_DATA_KEY');
		return new DataKeyring(current, fileKey ? [...previous, fileKey] : previous);
	}
	if (settings.databaseUrl && settings.environment === 'production') {
		throw new Error(
			'HEARTH_DATA_KEY is required when DATABASE_URL is set: board content is stored encrypted and the key ' +
				'must not be generated on one host. Set it to base64 of 32 random bytes.'
		);
	}
	if (fileKey) return new DataKeyring(fileKey, previous);

	const generated = randomBytes(KEY_BYTES);
	fs.mkdirSync(settings.dataDir, { recursive: true });
	try {
		// 'wx': if another process generated it a moment ago, use theirs rather than overwrite it.
		fs.writeFileSync(keyFile, generated.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		return new DataKeyring(decodeDataKey(fs.readFileSync(keyFile, 'utf8'), keyFile), previous);
	}
	warn(
		`Generated a data key for stored board content in ${keyFile}. Back it up with the data: without it the ` +
			'boards cannot be read. For anything beyond one machine, set HEARTH_DATA_KEY instead.'
	);
	return new DataKeyring(generated, previous);
}
