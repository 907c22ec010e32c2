import { defineConfig } from 'drizzle-kit';

// `npm run db:migrate` applies drizzle/ to DATABASE_URL, exactly as Hearth does itself at start-up. The
// embedded database needs no by-hand step: `npm start` starts it and migrates it.
const databaseUrl = process.env.DATABASE_URL;

export default defineConfig({
	dialect: 'postgresql',
	schema: './src/lib/server/db/schema/*.ts',
	out: './drizzle',
	...(databaseUrl ? { dbCredentials: { url: databaseUrl } } : {})
});
