import { afterEach, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { createPost, listPosts } from '$lib/board/posts';
import { createBoardId } from '$lib/board/ids';
import { DocumentView } from './document-view.svelte';
import { RealtimeDocument } from './realtime-document.svelte';

/**
 * A stand-in for Hearth's realtime server speaking the same protocol (src/lib/server/realtime/protocol.ts):
 * y-websocket sync and awareness, plus `saved`, `refused` and `access`. The real server has its own tests;
 * these are about what the browser shows.
 */
class FakeServer {
	readonly doc = new Y.Doc();
	wss!: WebSocketServer;
	port = 0;
	/** What the next update messages get: 'save', 'refuse', or 'hold' (answered later by `release`). */
	mode: 'save' | 'refuse' | 'hold' = 'save';
	held: Array<() => void> = [];
	readonly presence = new Map<number, { clock: number; json: string }>();
	sockets = new Set<ServerSocket>();

	async start(port = 0): Promise<void> {
		this.wss = new WebSocketServer({ port, host: '127.0.0.1' });
		await new Promise((resolve) => this.wss.once('listening', resolve));
		this.port = (this.wss.address() as AddressInfo).port;
		this.wss.on('connection', (ws) => this.#accept(ws));
	}

	async stop(): Promise<void> {
		for (const ws of this.sockets) ws.terminate();
		await new Promise((resolve) => this.wss.close(resolve));
	}

	release(): void {
		for (const answer of this.held.splice(0)) answer();
	}

	#accept(ws: ServerSocket) {
		this.sockets.add(ws);
		ws.on('close', () => this.sockets.delete(ws));
		let seq = 0;
		const send = (build: (encoder: encoding.Encoder) => void) => {
			const encoder = encoding.createEncoder();
			build(encoder);
			ws.send(encoding.toUint8Array(encoder));
		};
		send((e) => {
			encoding.writeVarUint(e, 102);
			encoding.writeVarUint(e, 1);
		});
		send((e) => {
			encoding.writeVarUint(e, 0);
			syncProtocol.writeSyncStep1(e, this.doc);
		});
		send((e) => {
			const states = encoding.createEncoder();
			encoding.writeVarUint(states, this.presence.size);
			for (const [clientId, { clock, json }] of this.presence) {
				encoding.writeVarUint(states, clientId);
				encoding.writeVarUint(states, clock);
				encoding.writeVarString(states, json);
			}
			encoding.writeVarUint(e, 1);
			encoding.writeVarUint8Array(e, encoding.toUint8Array(states));
		});
		const forward = (update: Uint8Array, origin: unknown) => {
			if (origin === ws) return;
			send((e) => {
				encoding.writeVarUint(e, 0);
				syncProtocol.writeUpdate(e, update);
			});
		};
		this.doc.on('update', forward);
		ws.on('close', () => this.doc.off('update', forward));
		ws.on('message', (data: Buffer) => {
			const decoder = decoding.createDecoder(new Uint8Array(data));
			const type = decoding.readVarUint(decoder);
			if (type === 1) {
				// Stamp identity as the real server does, and pass the entries to everyone.
				const inner = decoding.createDecoder(decoding.readVarUint8Array(decoder));
				const out = encoding.createEncoder();
				const count = decoding.readVarUint(inner);
				encoding.writeVarUint(out, count);
				for (let i = 0; i < count; i++) {
					const clientId = decoding.readVarUint(inner);
					const clock = decoding.readVarUint(inner);
					const state = JSON.parse(decoding.readVarString(inner));
					const stamped = JSON.stringify(state === null ? null : { ...state, user: { id: `u${clientId}`, name: 'Ada', role: 'member' } });
					this.presence.set(clientId, { clock, json: stamped });
					encoding.writeVarUint(out, clientId);
					encoding.writeVarUint(out, clock);
					encoding.writeVarString(out, stamped);
				}
				const message = encoding.createEncoder();
				encoding.writeVarUint(message, 1);
				encoding.writeVarUint8Array(message, encoding.toUint8Array(out));
				for (const socket of this.sockets) socket.send(encoding.toUint8Array(message));
				return;
			}
			if (type !== 0) return;
			const step = decoding.readVarUint(decoder);
			const payload = decoding.readVarUint8Array(decoder);
			if (step === 0) {
				send((e) => {
					encoding.writeVarUint(e, 0);
					syncProtocol.writeSyncStep2(e, this.doc, payload);
				});
				return;
			}
			const mySeq = ++seq;
			const mode = this.mode;
			const answer = () => {
				if (mode === 'refuse') {
					send((e) => {
						encoding.writeVarUint(e, 101);
						encoding.writeVarUint(e, mySeq);
						encoding.writeVarString(e, 'policy: Posts can only be written in your own name');
					});
					return;
				}
				Y.applyUpdate(this.doc, payload, ws);
				send((e) => {
					encoding.writeVarUint(e, 100);
					encoding.writeVarUint(e, mySeq);
				});
			};
			if (mode === 'hold') this.held.push(answer);
			else answer();
		});
	}
}

async function until(condition: () => boolean, timeout = 5000): Promise<void> {
	const start = Date.now();
	while (!condition()) {
		if (Date.now() - start > timeout) throw new Error('timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

const me = createBoardId();
let server: FakeServer;
let board: RealtimeDocument;

async function open(): Promise<void> {
	server = new FakeServer();
	await server.start();
	board = new RealtimeDocument(`group:${createBoardId()}`, { serverUrl: `ws://127.0.0.1:${server.port}/realtime` });
	board.start();
	await until(() => board.connection === 'live');
}

afterEach(async () => {
	board?.stop();
	await server?.stop();
});

describe('RealtimeDocument', () => {
	it('goes live, learns it may write and who else is here (as the server names them)', async () => {
		await open();
		expect(board.canWrite).toBe(true);
		const other = new RealtimeDocument(board.name, { serverUrl: `ws://127.0.0.1:${server.port}/realtime` });
		other.start();
		try {
			await until(() => other.connection === 'live');
			// Each sees the other, never itself.
			await until(() => board.presence.length === 1 && other.presence.length === 1);
			expect(board.presence[0]).toMatchObject({ name: 'Ada', role: 'member', typing: false });
			other.setTyping(true);
			await until(() => board.presence[0]?.typing === true);
			other.stop();
			await until(() => board.presence.length === 0);
		} finally {
			other.stop();
		}
	});

	it('says "saved" only once the server has acknowledged storing the change', async () => {
		await open();
		expect(board.save).toBe('saved');
		server.mode = 'hold';
		createPost(board.doc, { authorId: me, body: 'kept until stored' });
		expect(board.save).toBe('saving');
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(board.save).toBe('saving');
		server.release();
		await until(() => board.save === 'saved');
		expect(listPosts(server.doc)).toHaveLength(1);
	});

	it('keeps offline words in memory and sends them when the connection returns', async () => {
		await open();
		const port = server.port;
		await server.stop();
		await until(() => board.connection === 'offline');
		const versionBefore = board.version;
		createPost(board.doc, { authorId: me, body: 'written offline' });
		expect(board.version).toBeGreaterThan(versionBefore);
		expect(board.save).toBe('saving');
		const restarted = new FakeServer();
		await restarted.start(port);
		server = restarted;
		await until(() => board.connection === 'live', 10_000);
		await until(() => board.save === 'saved');
		expect(listPosts(server.doc).map((post) => post.state === 'live' && post.body)).toEqual(['written offline']);
	});

	it('says offline, not connecting, when the server cannot be reached at all', async () => {
		server = new FakeServer();
		await server.start();
		const port = server.port;
		await server.stop();
		board = new RealtimeDocument(`group:${createBoardId()}`, { serverUrl: `ws://127.0.0.1:${port}/realtime` });
		board.start();
		expect(board.connection).toBe('connecting');
		await until(() => board.connection === 'offline');
		const restarted = new FakeServer();
		await restarted.start(port);
		server = restarted;
		await until(() => board.connection === 'live', 10_000);
	});

	it('on a refusal, tells the person and starts again from the server’s copy', async () => {
		await open();
		createPost(board.doc, { authorId: me, body: 'accepted' });
		await until(() => board.save === 'saved');
		const firstDoc = board.doc;
		server.mode = 'refuse';
		createPost(board.doc, { authorId: createBoardId(), body: 'refused' });
		const bodies = new DocumentView(board, (doc) => listPosts(doc).map((post) => post.state === 'live' && post.body));
		expect([...bodies.current].sort()).toEqual(['accepted', 'refused']);
		await until(() => board.refusal !== null);
		expect(board.refusal?.reason).toMatch(/own name/);
		expect(board.doc).not.toBe(firstDoc);
		server.mode = 'save';
		await until(() => board.connection === 'live' && listPosts(board.doc).length === 1);
		// Views follow the fresh document: the refused post is gone from the screen too.
		expect(bodies.current).toEqual(['accepted']);
		expect(board.save).toBe('saved');
	});
});
