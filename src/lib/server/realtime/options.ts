/*
 * What a realtime server is made with: its limits, and the hooks through which the app decides who a
 * person is, what they may open, which changes are allowed, and what happens around them.
 *
 * The server calls a hook at one moment each, in this order for a socket:
 *
 *   authenticate     upgrade: the session cookie's token → the person (slides the session, as a page
 *                    request does); again, at most once a minute, while the person writes
 *   authorize        upgrade, and again whenever an access change is announced: may this person read
 *                    this document, and write to it?
 *   onRefuse         a signed-in person was refused a document (audit)
 *   onConnect        admitted, before the first document byte (audit of confidential views)
 *   checkUpdate      each incoming update, on the room's document, before anything is stored
 *   afterStoreUpdate each accepted update, once stored and forwarded (notifications)
 *   readSession      the expiry sweep and rechecks: the session's end, without sliding it
 *   afterUnloadDocument  a document nobody here has open was unloaded (archiving a board)
 *
 * The app's hooks are in index.ts; tests use the same ones.
 */
import type { ParsedDocumentName } from '$lib/board/document-names';
import type { BoardFact } from '$lib/board/facts';
import type { DocumentAccess, DocumentGrant } from './access';
import type { ConnectionLimits } from './connection';
import type { DatabaseConnection } from '../db/client';
import type { DataKeyring } from './encryption';
import type { CloseCode } from './protocol';
import type { ChangePolicy, RealtimeLog, RoomLimits } from './room';

export interface RealtimeLimits extends ConnectionLimits, RoomLimits {
	maxConnectionsPerUser: number;
	/** How often each socket is pinged; one unanswered ping ends it. */
	heartbeatMs: number;
	/** How long a room with nobody in it stays loaded. */
	idleUnloadMs: number;
	/** Accepted updates (in this process) after which a document is compacted. */
	compactEvery: number;
}

const MiB = 1024 * 1024;

export const defaultLimits: RealtimeLimits = {
	maxMessageBytes: 1024 * 1024,
	messagesPerSecond: 60,
	messageBurst: 240,
	maxViolations: 3,
	maxBufferedBytes: 8 * 1024 * 1024,
	maxAwarenessStateBytes: 4096,
	maxAwarenessClientsPerConnection: 4,
	maxSyncRequestsPerMinute: 6,
	maxDocumentBytes: { group: 64 * MiB, archive: 64 * MiB, staff: 16 * MiB, care: 16 * MiB, journal: 16 * MiB },
	maxConnectionsPerUser: 24,
	heartbeatMs: 15_000,
	idleUnloadMs: 30_000,
	compactEvery: 500
};

/** A signed-in person as the realtime server knows them; times in milliseconds since the epoch. */
export interface RealtimeSession {
	userId: string;
	name: string;
	sessionId: string;
	/** When the session ends unless the person is active. */
	expiresAt: number;
	/** When it ends however active. */
	hardLimit: number;
}

export interface StoredUpdate {
	document: ParsedDocumentName;
	userId: string;
	/** Whether the update removed a whole entry (a post, a note, a flag): its words must leave storage. */
	removesEntry: boolean;
	/** What the change did that others may be told about ($lib/board/facts.ts): ids only. */
	facts: readonly BoardFact[];
}

export interface RealtimeHooks {
	authenticate(token: string): Promise<RealtimeSession | null>;
	readSession(sessionId: string): Promise<Pick<RealtimeSession, 'expiresAt' | 'hardLimit'> | null>;
	authorize(userId: string, document: ParsedDocumentName): Promise<DocumentAccess>;
	checkUpdate: ChangePolicy;
	/** If it throws, the socket closes (4500) having received nothing. */
	onConnect?(userId: string, document: ParsedDocumentName, grant: DocumentGrant): Promise<void>;
	/** Failures are logged, never thrown at the socket. */
	onRefuse?(userId: string, document: string, code: CloseCode): Promise<void>;
	/** Must not throw; runs after the sender was told "saved". */
	afterStoreUpdate?(update: StoredUpdate): void;
	/** Must not throw; runs after the document was compacted and left memory. */
	afterUnloadDocument?(document: ParsedDocumentName): void;
}

export interface RealtimeServerOptions {
	/** A connection of its own is best (LISTEN holds one); the app's works. */
	database: DatabaseConnection;
	keyring: DataKeyring;
	hooks: RealtimeHooks;
	/** The app's origin; when unset (vite dev) the Origin must match the request's Host. */
	origin?: string;
	limits?: Partial<RealtimeLimits>;
	log?: RealtimeLog;
}
