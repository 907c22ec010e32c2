// `$app/environment` for app modules loaded outside SvelteKit (tests/support/app-modules.js): a server
// process, never building.
export const browser = false;
export const building = false;
export const dev = false;
export const version = 'test';
