// `npm run retention:purge`: runs the retention sweep once, by hand (src/lib/server/retention/purge.ts), on
// the database Hearth is configured for (DATABASE_URL, or the embedded one in HEARTH_DATA_DIR / ./data),
// with the same data key as the server. Purges every ended group whose retention time has passed without a
// legal hold, finishes any purge a crash cut short, and prints what it did: group ids and counts, never
// names or words. Safe while the server runs (and while its own hourly sweep runs).
import { createAppModuleLoader } from '../tests/support/app-modules.js';

const loader = await createAppModuleLoader();
let connection;
try {
	const { connection: app } = await loader.ssrLoadModule('$lib/server/db/index.ts');
	connection = app;
	const { migrateDatabase } = await loader.ssrLoadModule('$lib/server/db/client.ts');
	await migrateDatabase(connection);
	const { sweepRetention, getRetentionMonths, describeRetention } = await loader.ssrLoadModule(
		'$lib/server/retention/index.ts'
	);
	const months = await getRetentionMonths();
	const reports = await sweepRetention();
	console.log(`Retention time: ${describeRetention(months)} after a group ends.`);
	if (reports.length === 0) console.log('No ended group is due for deletion.');
	for (const report of reports) {
		console.log(
			`Deleted the records of group ${report.groupId}: ${report.documents} stored documents, ` +
				`${report.journalEntries} journal entries, ${report.memberships} memberships.`
		);
	}
} finally {
	await connection?.close();
	await loader.close();
}
