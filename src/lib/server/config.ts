import { env } from '$env/dynamic/private';
import path from 'node:path';

/** Hearth's environment, read and validated once. Everything else asks this module. */
export interface Config {
	/** PostgreSQL server; when absent Hearth starts its embedded PostgreSQL in `dataDir` (db/embedded.ts). */
	databaseUrl: string | undefined;
	dataDir: string;
	session: {
		idleTimeoutMs: number;
		absoluteLifetimeMs: number;
	};
	/** Sign-in limits; the policy is described in auth/login-limits.ts. */
	login: {
		/** Failures for one account from one address before that pair is refused for the window. */
		maxFailuresPerPair: number;
		/** Failures for one account, from any address, before its attempts are slowed (never refused). */
		slowAfterAccountFailures: number;
		/** Failures from one address, for any account, before its attempts are slowed (never refused). */
		slowAfterAddressFailures: number;
		/** The longest a slowed attempt waits. */
		maxDelayMs: number;
		windowMs: number;
	};
	smtpUrl: string | undefined;
	mailFrom: string;
	/** How long one SMTP step (connect, greeting, each reply) may take before the send fails. */
	smtpTimeoutMs: number;
	/** The public origin (`ORIGIN`, as adapter-node reads it); unset in `vite dev`, where the Host header stands in. */
	origin: string | undefined;
	/** From NODE_ENV: in production, secrets are required, never generated. */
	environment: 'production' | 'development' | 'test';
	realtime: {
		/** Base64 of 32 bytes sealing stored document bytes (HEARTH_DATA_KEY); see realtime/encryption.ts. */
		dataKey: string | undefined;
		/** Earlier keys, comma-separated (HEARTH_DATA_KEYS_PREVIOUS): read, never written, until compaction re-seals. */
		previousDataKeys: string[];
	};
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function readPositiveNumber(name: string, fallback: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0) {
		throw new Error(`${name} must be a positive number (got "${raw}")`);
	}
	return value;
}

// Only an explicit NODE_ENV=production counts (adapter-node sets nothing); deployments should set it.
function readEnvironment(raw: string | undefined): Config['environment'] {
	return raw === 'production' ? 'production' : raw === 'test' ? 'test' : 'development';
}

function readConfig(): Config {
	return {
		databaseUrl: env.DATABASE_URL || undefined,
		dataDir: path.resolve(env.HEARTH_DATA_DIR || 'data'),
		session: {
			idleTimeoutMs: readPositiveNumber('HEARTH_SESSION_IDLE_MINUTES', 120) * MINUTE,
			absoluteLifetimeMs: readPositiveNumber('HEARTH_SESSION_MAX_HOURS', 24) * HOUR
		},
		login: {
			maxFailuresPerPair: readPositiveNumber('HEARTH_LOGIN_MAX_FAILURES', 10),
			slowAfterAccountFailures: readPositiveNumber('HEARTH_LOGIN_MAX_FAILURES_PER_ACCOUNT', 5),
			slowAfterAddressFailures: readPositiveNumber('HEARTH_LOGIN_MAX_FAILURES_PER_ADDRESS', 50),
			maxDelayMs: readPositiveNumber('HEARTH_LOGIN_MAX_DELAY_SECONDS', 10) * SECOND,
			windowMs: readPositiveNumber('HEARTH_LOGIN_WINDOW_MINUTES', 15) * MINUTE
		},
		smtpUrl: env.SMTP_URL || undefined,
		mailFrom: env.HEARTH_MAIL_FROM || 'Hearth <no-reply@localhost>',
		smtpTimeoutMs: readPositiveNumber('HEARTH_SMTP_TIMEOUT_SECONDS', 15) * 1000,
		origin: env.ORIGIN || undefined,
		environment: readEnvironment(env.NODE_ENV),
		realtime: {
			dataKey: env.HEARTH_DATA_KEY || undefined,
			previousDataKeys: (env.HEARTH_DATA_KEYS_PREVIOUS ?? '')
				.split(',')
				.map((key) => key.trim())
				.filter(Boolean)
		}
	};
}

let cached: Config | undefined;

export function getConfig(): Config {
	cached ??= readConfig();
	return cached;
}
