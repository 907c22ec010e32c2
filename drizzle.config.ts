import path from 'node:path';
import { defineConfig } from 'drizzle-kit';

// `npm run db:migrate` applies drizzle/ to DATABASE_URL, or to the embedded database when it is unset,
// exactly as Hearth does itself at start-up.
const databaseUrl = process.env.DATABASE_URL;
const embeddedDir = path.join(process.env.HEARTH_DATA_DIR || 'data', 'pglite');

export default defineConfig({
	dialect: 'postgresql',
	schema: './src/lib/server/db/schema/*.ts',
	out: './drizzle',
	...(databaseUrl
		? { dbCredentials: { url: databaseUrl } }
		: { driver: 'pglite', dbCredentials: { url: embeddedDir } })
});
