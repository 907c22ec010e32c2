import { building } from '$app/environment';
import { getConfig } from '../config';
import { openConfiguredDatabase, openDatabase, type DatabaseConnection } from './client';

export type { Database } from './client';

const config = getConfig();

/**
 * The process's one connection pool; it holds no user's data, only the means to reach it. While
 * SvelteKit builds (it imports server modules to analyse them) nothing may start a database: the pool
 * then points nowhere and is never used (postgres.js connects on the first query).
 */
export const connection: DatabaseConnection = building
	? openDatabase({ databaseUrl: 'postgres://127.0.0.1:1/not-while-building' })
	: await openConfiguredDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });

export const db = connection.db;
