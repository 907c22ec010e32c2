// The setup code the app prints while it has no admin (src/lib/server/setup/setup-code.ts), as the e2e
// server reads it from the app's console and hands it to first-run.setup.ts: no test-only switch in the
// app, the journey learns the code the way a person does.
import path from 'node:path';

export const SETUP_CODE_FILE = path.resolve(import.meta.dirname, '../../.tmp/e2e-setup-code');

/** Finds the code in the app's console output. @param {string} output @returns {string | undefined} */
export function findSetupCode(output) {
	return /one-time setup code: ([A-Z0-9]{5}-[A-Z0-9]{5})/.exec(output)?.[1];
}
