// Realtime test harness: a real HTTP server on a free port running Hearth's realtime server against this
// test file's PostgreSQL database, people with real sessions, and real y-websocket providers (with the
// `ws` package as their WebSocket) that count their update messages and read the server's saved /
// refused / access messages the way the board's client does.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, expect } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import { connection as appConnection } from '$lib/server/db';
import { eq } from 'drizzle-orm';
import { hashPassword } from '$lib/server/auth/passwords';
import { createSession, generateSessionToken } from '$lib/server/auth/sessions';
import { generateId } from '$lib/server/db/ids';
import { user } from '$lib/server/db/schema';
import type { DatabaseConnection } from '$lib/server/db/client';
import { openTestDatabase } from './database';
import { DataKeyring } from '$lib/server/realtime/encryption';
import { getCurrentAgreement, publishAgreement } from '$lib/server/groups/agreements';
import { createGroup } from '$lib/server/groups/groups';
import { addFacilitator, removeMember, setMemberMuted } from '$lib/server/groups/membership';
import { acceptInvitation, createInvitation } from '$lib/server/invitations';
import { messageAccess, messageRefused, messageSaved } from '$lib/server/realtime/protocol';
import type { RealtimeLog } from '$lib/server/realtime/room';
import { groupDocumentName } from '$lib/board/document-names';
import { RealtimeDocument, type RevokedReason } from '$lib/realtime/realtime-document.svelte';
import { useKeyringForServerWrites } from '$lib/server/realtime/server-writes';
import { RealtimeServer, appHooks, type RealtimeHooks, type RealtimeLimits } from '$lib/server/realtime';
import { DocumentStorage } from '$lib/server/realtime/storage';

/** One key per test file, so servers restarted (or started in another process) read each other's rows. */
export const TEST_DATA_KEY = randomBytes(32).toString('base64');
export const testKeyring = new DataKeyring(Buffer.from(TEST_DATA_KEY, 'base64'));

export interface Person {
	userId: string;
	name: string;
	token: string;
	sessionId: string;
}

export async function createPerson(name = 'Robin', role: 'staff' | 'member' = 'member'): Promise<Person> {
	const userId = generateId();
	await appConnection.db.insert(user).values({
		id: userId,
		email: `${userId}@example.org`,
		displayName: name,
		passwordHash: 'not-a-real-hash',
		role
	});
	const token = generateSessionToken();
	const session = await createSession(token, userId);
	return { userId, name, token, sessionId: session.id };
}

/** Gives `person` a password they can confirm a deletion or an export with (createPerson's hash matches none). */
export async function setPassword(person: Person, password: string) {
	await appConnection.db
		.update(user)
		.set({ passwordHash: await hashPassword(password) })
		.where(eq(user.id, person.userId));
}

/**
 * Groups through the real groups domain (src/lib/server/groups): a facilitator creates the group,
 * members join by accepting an invitation and signing the agreement, facilitators remove and mute.
 * Each command announces its access change, as in the app.
 */
export class TestGroups {
	async createGroup(facilitator: Person): Promise<string> {
		const created = await createGroup({
			creatorId: facilitator.userId,
			creatorKind: 'therapist',
			name: 'Thursday circle',
			description: '',
			capacity: 12,
			timeZone: 'Europe/Berlin',
			agreementBody: 'What is shared in this circle stays in this circle.',
			program: null
		});
		return created.id;
	}

	async add(groupId: string, person: Person, invitedBy: Person) {
		const invitation = await createInvitation({
			groupId,
			actorId: invitedBy.userId,
			email: '',
			note: '',
			origin: 'http://127.0.0.1'
		});
		const token = invitation.link.split('/').at(-1)!;
		const agreement = await getCurrentAgreement(groupId);
		await acceptInvitation({
			token,
			userId: person.userId,
			typedName: person.name,
			agreementVersion: agreement!.version
		});
	}

	async addFacilitator(groupId: string, person: Person, by: Person) {
		await addFacilitator({ groupId, actorId: by.userId, userId: person.userId, kind: 'therapist' });
	}

	async remove(groupId: string, person: Person, by: Person) {
		await removeMember({ groupId, actorId: by.userId, userId: person.userId });
	}

	async mute(groupId: string, person: Person, by: Person) {
		await setMemberMuted({ groupId, actorId: by.userId, userId: person.userId, muted: true });
	}

	/** A new agreement version: every member must sign it again. */
	async publishNewAgreement(groupId: string, by: Person) {
		await publishAgreement({ groupId, actorId: by.userId, body: `What is shared here stays here (${generateId()}).` });
	}
}

export interface TestServer {
	realtime: RealtimeServer;
	database: DatabaseConnection;
	port: number;
	origin: string;
	wsBase: string;
	errors: unknown[];
	close(): Promise<void>;
}

/** Starts the realtime server on a free port of 127.0.0.1 with its own pool to this file's database. */
export async function startTestServer(options: {
	groups: TestGroups;
	hooks?: Partial<RealtimeHooks>;
	limits?: Partial<RealtimeLimits>;
	origin?: string;
	/** To start "the same server" again after closing it; a free port otherwise. */
	port?: number;
}): Promise<TestServer> {
	const database = openTestDatabase({ maxConnections: 4 });
	const httpServer = http.createServer((_request, response) => {
		response.writeHead(404).end();
	});
	await new Promise<void>((resolve) => httpServer.listen(options.port ?? 0, '127.0.0.1', resolve));
	const port = (httpServer.address() as AddressInfo).port;
	const origin = options.origin ?? `http://127.0.0.1:${port}`;
	const errors: unknown[] = [];
	const log: RealtimeLog = {
		warn: () => {},
		error: (message, detail) => errors.push({ message, detail })
	};
	const realtime = new RealtimeServer({
		database,
		keyring: testKeyring,
		hooks: { ...appHooks, ...options.hooks },
		origin,
		limits: { idleUnloadMs: 200, ...options.limits },
		log
	});
	await realtime.start();
	httpServer.on('upgrade', (request, socket, head) => {
		if (!realtime.handleUpgrade(request, socket, head)) socket.destroy();
	});
	return {
		realtime,
		database,
		port,
		origin,
		wsBase: `ws://127.0.0.1:${port}/realtime`,
		errors,
		async close() {
			await realtime.close();
			httpServer.closeAllConnections();
			await new Promise((resolve) => httpServer.close(resolve));
			await database.close();
		}
	};
}

export interface RealtimeCircle {
	server: TestServer;
	groups: TestGroups;
	/** Robin, a staff account, who created the circle. */
	facilitator: Person;
	/** In the order named; each has accepted an invitation and signed the agreement. */
	members: Person[];
	groupId: string;
	/** The circle's board. */
	document: string;
	/** A client for `person` that has synced `document` (the board unless named); the caller destroys it. */
	open(person: Person, document?: string): Promise<TestClient>;
}

/**
 * The set-up realtime specs share, awaited at a spec's top level: the realtime server on a free port,
 * Robin's circle with these members, server writes sealed with the test key, and (after the file's
 * tests) the server and the file's database pool closed.
 */
export async function startRealtimeCircle(
	options: { members?: string[]; limits?: Partial<RealtimeLimits>; hooks?: Partial<RealtimeHooks> } = {}
): Promise<RealtimeCircle> {
	useKeyringForServerWrites(testKeyring);
	const groups = new TestGroups();
	const server = await startTestServer({ groups, limits: options.limits, hooks: options.hooks });
	afterAll(async () => {
		await server.close();
		await appConnection.close();
	});
	const [facilitator, ...members] = await Promise.all([
		createPerson('Robin', 'staff'),
		...(options.members ?? []).map((name) => createPerson(name))
	]);
	const groupId = await groups.createGroup(facilitator);
	for (const member of members) await groups.add(groupId, member, facilitator);
	const board = groupDocumentName(groupId);
	async function open(person: Person, document = board): Promise<TestClient> {
		const client = new TestClient(server, document, { person });
		await client.waitForSync();
		return client;
	}
	return { server, groups, facilitator, members, groupId, document: board, open };
}

export interface ClientOptions {
	person?: Person;
	origin?: string;
	doc?: Y.Doc;
	connect?: boolean;
}

/**
 * A y-websocket client as the board uses it: cookie auth, Origin header, no BroadcastChannel, and the
 * "saved" bookkeeping of protocol.ts (count update messages sent on the socket, compare with answers).
 */
export class TestClient {
	readonly doc: Y.Doc;
	readonly provider: WebsocketProvider;
	readonly refusals: { seq: number; reason: string }[] = [];
	readonly closeCodes: number[] = [];
	/** Every message received, by type number, in order (the first tells what came before a refusal). */
	readonly received: number[] = [];
	canWrite: boolean | null = null;
	sentUpdates = 0;
	answered = 0;

	constructor(server: { wsBase: string; origin: string }, document: string, options: ClientOptions = {}) {
		this.doc = options.doc ?? new Y.Doc();
		const headers: Record<string, string> = { origin: options.origin ?? server.origin };
		if (options.person) headers.cookie = `hearth_session=${options.person.token}`;
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const client = this;
		class HearthTestSocket extends WebSocket {
			constructor(url: string | URL, protocols?: string | string[]) {
				super(url, protocols, { headers });
				client.sentUpdates = 0;
				client.answered = 0;
				this.on('message', (data: ArrayBuffer | Buffer) => client.received.push(new Uint8Array(data)[0]));
				this.on('close', (code: number) => client.closeCodes.push(code));
			}
			override send(data: unknown, ...rest: unknown[]) {
				const bytes = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);
				if (bytes[0] === 0 && (bytes[1] === 1 || bytes[1] === 2)) client.sentUpdates++;
				return (super.send as (...args: unknown[]) => void)(data, ...rest);
			}
		}
		this.provider = new WebsocketProvider(server.wsBase, document, this.doc, {
			WebSocketPolyfill: HearthTestSocket as unknown as typeof globalThis.WebSocket,
			disableBc: true,
			connect: options.connect ?? true,
			maxBackoffTime: 300
		});
		this.provider.messageHandlers[messageSaved] = (_encoder, decoder) => {
			this.answered = decoding.readVarUint(decoder);
		};
		this.provider.messageHandlers[messageRefused] = (_encoder, decoder) => {
			const seq = decoding.readVarUint(decoder);
			this.answered = seq;
			this.refusals.push({ seq, reason: decoding.readVarString(decoder) });
		};
		this.provider.messageHandlers[messageAccess] = (_encoder, decoder) => {
			this.canWrite = decoding.readVarUint(decoder) === 1;
		};
	}

	get synced(): boolean {
		return this.provider.synced;
	}

	/** Everything this client sent on its socket has been answered. */
	get settled(): boolean {
		return this.provider.wsconnected && this.provider.synced && this.answered === this.sentUpdates;
	}

	async waitForSync(timeoutMs = 10_000) {
		await waitFor(() => this.provider.synced, timeoutMs, 'sync');
	}

	async waitForSaved(timeoutMs = 10_000) {
		await waitFor(() => this.settled && this.sentUpdates > 0, timeoutMs, 'saved');
	}

	async waitForClose(timeoutMs = 10_000): Promise<number> {
		await waitFor(() => this.closeCodes.length > 0, timeoutMs, 'close');
		return this.closeCodes[0];
	}

	/**
	 * Makes `change` on this client's copy and waits until the server has answered everything it sent,
	 * asserting it refused nothing. Returns what `change` returns (a new post's id, say).
	 */
	async write<T>(change: (doc: Y.Doc) => T): Promise<T> {
		const before = this.sentUpdates;
		const result = change(this.doc);
		await waitFor(() => this.settled && this.sentUpdates > before, 10_000, 'saved');
		expect(this.refusals).toEqual([]);
		return result;
	}

	destroy() {
		this.provider.destroy();
		this.doc.destroy();
	}
}

/**
 * The browser's own RealtimeDocument (not started), connecting as `person` would from Hearth's page:
 * the session cookie and the app's Origin on the upgrade. `revoked` collects what `onRevoked` heard.
 */
export function openInBrowser(
	server: { wsBase: string; origin: string },
	person: Person,
	document: string,
	options: { network?: EventTarget } = {}
) {
	const revoked: RevokedReason[] = [];
	const headers = { origin: server.origin, cookie: `hearth_session=${person.token}` };
	class SignedInSocket extends WebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols, { headers });
		}
	}
	const board = new RealtimeDocument(document, {
		serverUrl: server.wsBase,
		socketClass: SignedInSocket as unknown as typeof globalThis.WebSocket,
		network: options.network,
		onRevoked: (reason) => revoked.push(reason)
	});
	return { board, revoked };
}

/** A bare socket for crafted messages: collects what arrives and the close code. */
export class RawSocket {
	readonly socket: WebSocket;
	readonly messages: Uint8Array[] = [];
	closeCode: number | null = null;
	readonly opened: Promise<void>;

	constructor(url: string, headers: Record<string, string>) {
		this.socket = new WebSocket(url, { headers });
		this.socket.binaryType = 'nodebuffer';
		this.socket.on('message', (data: Buffer) => this.messages.push(new Uint8Array(data)));
		this.socket.on('error', () => {});
		this.opened = new Promise((resolve) => this.socket.once('open', () => resolve()));
		this.socket.on('close', (code) => {
			this.closeCode = code;
		});
	}

	static forDocument(server: TestServer, document: string, person?: Person, origin = server.origin): RawSocket {
		const headers: Record<string, string> = { origin };
		if (person) headers.cookie = `hearth_session=${person.token}`;
		return new RawSocket(`${server.wsBase}/${document}`, headers);
	}

	send(bytes: Uint8Array) {
		this.socket.send(bytes);
	}

	/** The reasons of every `refused` message received so far. */
	get refusals(): string[] {
		return this.messages
			.filter((message) => message[0] === messageRefused)
			.map((message) => {
				const decoder = decoding.createDecoder(message);
				decoding.readVarUint(decoder);
				decoding.readVarUint(decoder);
				return decoding.readVarString(decoder);
			});
	}

	async waitForClose(timeoutMs = 10_000): Promise<number> {
		await waitFor(() => this.closeCode !== null, timeoutMs, 'close');
		return this.closeCode!;
	}

	close() {
		this.socket.terminate();
	}
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** The document exactly as PostgreSQL has it: snapshot plus updates, decrypted. */
export async function loadStoredDocument(document: string): Promise<Y.Doc> {
	const storage = new DocumentStorage(appConnection.db, testKeyring, 'test-reader');
	const { updates } = await storage.load(document);
	const doc = new Y.Doc();
	for (const update of updates) Y.applyUpdate(doc, update);
	return doc;
}

/** A document's posts as JSON with sorted keys: Y.Map's own key order depends on arrival order. */
export function canonicalPosts(doc: Y.Doc): string {
	const sort = (value: unknown): unknown =>
		Array.isArray(value)
			? value.map(sort)
			: value && typeof value === 'object'
				? Object.fromEntries(
						Object.entries(value as Record<string, unknown>)
							.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
							.map(([key, inner]) => [key, sort(inner)])
					)
				: value;
	return JSON.stringify(sort(doc.getMap('posts').toJSON()));
}

export interface ChildServer {
	port: number;
	origin: string;
	wsBase: string;
	child: ChildProcess;
	/** Ends the process the hard way (SIGKILL): no shutdown code runs. */
	kill(): Promise<void>;
	stop(): Promise<void>;
}

/**
 * Starts a separate Node process running the app's realtime wiring against this test file's database
 * (tests/support/realtime-child-server.js). Pass the same `port` to restart "the same server"; `dataKey` to start
 * it with another HEARTH_DATA_KEY (it rejects with the child's output when the child exits instead).
 */
export async function spawnChildServer(options: { port?: number; dataKey?: string } = {}): Promise<ChildServer> {
	const port = options.port ?? (await findFreePort());
	const origin = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, [path.resolve('tests/support/realtime-child-server.js')], {
		cwd: path.resolve('.'),
		env: {
			...process.env,
			PORT: String(port),
			ORIGIN: origin,
			HEARTH_DATA_KEY: options.dataKey ?? TEST_DATA_KEY,
			NODE_ENV: 'test'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stderr!.on('data', (chunk) => (output += chunk));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`child server did not start:\n${output}`)), 60_000);
		child.stdout!.on('data', (chunk: Buffer) => {
			output += chunk;
			if (output.includes('ready')) {
				clearTimeout(timer);
				resolve();
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`child server exited (${code}):\n${output}`));
		});
	});
	const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
	return {
		port,
		origin,
		wsBase: `ws://127.0.0.1:${port}/realtime`,
		child,
		async kill() {
			child.kill('SIGKILL');
			await exited;
		},
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(timer);
		}
	};
}

export function findFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.on('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}
