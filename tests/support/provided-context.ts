/** What Vitest's global setup hands each test worker about the run's PostgreSQL server. */
export interface TestPostgresContext {
	/** Superuser URL of the server's `postgres` database, for CREATE/DROP DATABASE. */
	adminUrl: string;
	/** Database with every migration applied; each test file's database is a copy of it. */
	templateDatabase: string;
	/** Every database this run creates starts with it, so a shared server can be swept afterwards. */
	databasePrefix: string;
}

declare module 'vitest' {
	export interface ProvidedContext {
		hearthPostgres: TestPostgresContext;
	}
}
