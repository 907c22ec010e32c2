// Stands in for `$env/dynamic/private` under Vitest (aliased in vite.config.ts).
// SvelteKit's own module is, under `vite serve`/Vitest, a literal copy of the environment taken when the
// config loaded, in Vitest's main process (sveltejs/kit#9564). The database each test file gets is
// chosen later, in the worker, so app code must read the worker's live `process.env` instead.
export const env: Record<string, string | undefined> = process.env;
