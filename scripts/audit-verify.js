// `npm run audit:verify`: checks that the audit log's hash chain is whole (src/lib/server/audit/chain.ts)
// on the database Hearth is configured for (DATABASE_URL, or the embedded one in HEARTH_DATA_DIR / ./data),
// and prints the number of events and the head hash to note in the practice's periodic review.
// Exits with 1 when an event was changed, removed or slipped in, naming where the chain breaks.
import { createAppModuleLoader } from '../tests/support/app-modules.js';

const loader = await createAppModuleLoader();
let connection;
try {
	const { getConfig } = await loader.ssrLoadModule('$lib/server/config.ts');
	const { openConfiguredDatabase } = await loader.ssrLoadModule('$lib/server/db/client.ts');
	const { checkAuditChain } = await loader.ssrLoadModule('$lib/server/audit/chain.ts');
	const config = getConfig();
	connection = await openConfiguredDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
	const check = await checkAuditChain(connection.db);
	if (check === null) {
		console.error('This database has no audit chain yet: start this version of Hearth on it once, then check.');
		process.exitCode = 1;
	} else if (check.intact) {
		console.log(
			`The audit log is whole: ${check.events} ${check.events === 1 ? 'event' : 'events'}, head hash ${check.head ?? '(empty log)'}.`
		);
	} else {
		console.error(
			`The audit log has been tampered with: the chain breaks at position ${check.brokenAt} of ${check.events}` +
				(check.eventId === null ? '.' : ` (event id ${check.eventId}).`)
		);
		process.exitCode = 1;
	}
} finally {
	await connection?.close();
	await loader.close();
}
