/*
 * The app's realtime server: one per process, started by hooks.server.ts `init`, registered on
 * `globalThis[Symbol.for('hearth.realtime')]` so that server.js (production) and vite-plugin.ts (dev),
 * which cannot import app modules, hand it their HTTP upgrades:
 *
 *   handleUpgrade(request, socket, head): boolean   false = not a /realtime/ path, not touched
 *   close(): Promise<void>                          on shutdown: closes sockets (1001), unloads documents
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { checkUpdate } from '$lib/board/policy';
import { startAccessChangeRelay, stopAccessChangeRelay } from '../access-events';
import { archiveFinishedThreads } from '../archive/archive';
import { recordDocumentOpened, recordRefusedSocket } from '../audit/document-views';
import { getSessionHardLimit, readSessionEnd, validateSessionTokens } from '../auth/sessions';
import { getConfig } from '../config';
import { getCoolOffs } from '../cool-off';
import { connection } from '../db';
import { batched } from '../db/batched';
import { getGroupAccesses } from '../groups/access';
import { getOpenEmergencyGrant, recordEmergencyView } from '../emergency-access/grants';
import { log } from '../log';
import { acceptBoardFacts } from '../notifications/board-facts';
import { getDocumentAccess } from './access';
import { loadDataKeyring, type DataKeyring } from './encryption';
import { checkDataKeyring } from './key-check';
import type { RealtimeHooks } from './options';
import { RealtimeServer } from './server';

export { RealtimeServer } from './server';
export type { RealtimeServerOptions, RealtimeLimits, RealtimeHooks } from './options';

// A burst of sockets (a circle arriving, every tab reconnecting after a restart) is admitted in a few
// queries: lookups asked for in the same turn of the event loop go to the database together.
const findSession = batched(validateSessionTokens);
const findGroupAccess = batched(getGroupAccesses);
const findCoolOff = batched(getCoolOffs);

/** The app's decisions at each moment of a socket's life (options.ts lists when each runs). */
export const appHooks: RealtimeHooks = {
	async authenticate(token) {
		const { session, user } = await findSession(token);
		if (!session) return null;
		return {
			userId: user.id,
			name: user.displayName,
			sessionId: session.id,
			expiresAt: session.expiresAt.getTime(),
			hardLimit: getSessionHardLimit(session).getTime()
		};
	},
	async readSession(sessionId) {
		const end = await readSessionEnd(sessionId);
		return end && { expiresAt: end.expiresAt.getTime(), hardLimit: end.hardLimit.getTime() };
	},
	authorize: (userId, document) =>
		getDocumentAccess(userId, document, (userId, groupId) => findGroupAccess({ userId, groupId }), {
			getEmergencyGrant: getOpenEmergencyGrant,
			getCoolOffWindows: async (groupId) => (await findCoolOff(groupId)).windows
		}),
	checkUpdate,
	async onConnect(userId, document, grant) {
		if (grant.emergency && (document.kind === 'group' || document.kind === 'archive')) {
			await recordEmergencyView(userId, document.groupId, grant.emergency.grantId);
		} else await recordDocumentOpened(userId, document);
	},
	onRefuse: recordRefusedSocket,
	afterStoreUpdate(update) {
		acceptBoardFacts(update);
	},
	afterUnloadDocument(document) {
		if (document.kind !== 'group') return;
		archiveFinishedThreads(document.groupId).catch((error) =>
			log.error({ area: 'archive', error }, 'archiving a board failed')
		);
	}
};

export interface RealtimeHandle {
	handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
	close(): Promise<void>;
}

export const REALTIME_REGISTRY = Symbol.for('hearth.realtime');

type Registry = { [REALTIME_REGISTRY]?: RealtimeHandle & { server: RealtimeServer } };

let keyring: DataKeyring | undefined;

/** This process's realtime server, if it has started one. */
export function getRealtimeServer(): RealtimeServer | undefined {
	return (globalThis as Registry)[REALTIME_REGISTRY]?.server;
}
let starting: Promise<RealtimeServer> | undefined;

/** The keyring stored document bytes are sealed with (also used by server-writes.ts). */
export function getKeyring(): DataKeyring {
	const config = getConfig();
	keyring ??= loadDataKeyring({
		dataKey: config.realtime.dataKey,
		previousDataKeys: config.realtime.previousDataKeys,
		databaseUrl: config.databaseUrl,
		dataDir: config.dataDir,
		environment: config.environment
	});
	return keyring;
}

/**
 * Starts the process's realtime server once (later calls get the same one) and registers it for
 * server.js and the dev plugin. Throws when the data key is missing where one is required, and
 * RefusedToStartError when the keys cannot open what the database holds (key-check.ts).
 */
export function startRealtime(): Promise<RealtimeServer> {
	const registry = globalThis as Registry;
	// In `vite dev` a re-evaluated copy of this module must not start a second server on the same port.
	const existing = registry[REALTIME_REGISTRY];
	if (existing) return Promise.resolve(existing.server);
	starting ??= (async () => {
		await checkDataKeyring(connection.db, getKeyring());
		const server = new RealtimeServer({
			database: connection,
			keyring: getKeyring(),
			hooks: appHooks,
			origin: getConfig().origin
		});
		await startAccessChangeRelay();
		await server.start();
		registry[REALTIME_REGISTRY] = {
			server,
			handleUpgrade: (request, socket, head) => server.handleUpgrade(request, socket, head),
			close: async () => {
				delete registry[REALTIME_REGISTRY];
				await server.close();
				await stopAccessChangeRelay();
			}
		};
		return server;
	})();
	starting.catch(() => {
		starting = undefined;
	});
	return starting;
}
