/*
 * Lookups made at about the same moment go to the database together. A whole circle arriving at once,
 * or every socket reconnecting after a restart, asks for hundreds of sessions and memberships within a
 * few turns of the event loop; one query per turn answers them all, instead of one query each queueing
 * for the pool. Nothing is cached: each lookup reads the database as it is when its batch runs.
 */
import DataLoader from 'dataloader';
import { sql, type SQL } from 'drizzle-orm';

const MAX_BATCH = 100;

/**
 * `lookup(key)`, answered by `lookupMany` together with every other key asked for in the same turn of
 * the event loop. `lookupMany` answers in the order of its keys, an Error for a key that fails alone
 * (its asker alone gets it); the same key asked twice is looked up twice (nothing is shared between two
 * askers).
 */
export function batched<K, V>(lookupMany: (keys: readonly K[]) => Promise<(V | Error)[]>): (key: K) => Promise<V> {
	const loader = new DataLoader<K, V>(lookupMany, {
		cache: false,
		maxBatchSize: MAX_BATCH,
		batchScheduleFn: (run) => setImmediate(run)
	});
	return (key) => loader.load(key);
}

/**
 * A whole column of values as one array parameter: a statement that takes it has the same text for any
 * number of values, so PostgreSQL prepares it once per connection. (The driver sends arrays of these
 * types; pass times as ISO text and cast them in the statement.)
 */
export function arrayParam(values: readonly unknown[], type: 'int' | 'bigint' | 'text'): SQL {
	return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}
