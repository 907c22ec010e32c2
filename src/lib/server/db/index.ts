import { getConfig } from '../config';
import { openConfiguredDatabase, type DatabaseConnection } from './client';

export type { Database } from './client';

const config = getConfig();

/** The process's one connection pool; it holds no user's data, only the means to reach it. */
export const connection: DatabaseConnection = await openConfiguredDatabase({
	databaseUrl: config.databaseUrl,
	dataDir: config.dataDir
});

export const db = connection.db;
