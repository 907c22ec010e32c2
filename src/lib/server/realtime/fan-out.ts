/*
 * Messages between Hearth processes sharing one PostgreSQL, as NOTIFY payloads on `hearth_realtime`:
 *
 *   u <instance> <document> <row id>     an update was accepted and stored as realtime_update <row id>
 *   a <instance> <document> <base64>     an awareness update (already checked and stamped by <instance>)
 *
 * <instance> is a random id per realtime server, so a server skips its own messages. Updates travel as row
 * ids because a NOTIFY payload holds at most 8000 bytes; the listener reads (and decrypts) the row itself.
 * Awareness updates are small and short-lived, so they travel inline and are never stored; one that
 * would not fit is not relayed (the sender's next renewal, within 15 s, tries again).
 */
import { NOTIFY_PAYLOAD_LIMIT, type NotificationChannel } from './notifications';
import type { RealtimeLog } from './room';
import type { Rooms } from './rooms';

export const REALTIME_CHANNEL = 'hearth_realtime';

export type FanOutNotice =
	| { kind: 'stored'; instance: string; document: string; id: number }
	| { kind: 'awareness'; instance: string; document: string; update: Uint8Array };

/** The payload of a stored-update notice without its row id, which the inserting statement appends. */
export function storedNoticePrefix(instance: string, document: string): string {
	return `u ${instance} ${document} `;
}

/** Null when the update is too big to travel inline. */
export function formatAwarenessNotice(instance: string, document: string, update: Uint8Array): string | null {
	const payload = `a ${instance} ${document} ${Buffer.from(update).toString('base64')}`;
	return payload.length <= NOTIFY_PAYLOAD_LIMIT ? payload : null;
}

export function parseFanOutNotice(payload: string): FanOutNotice | null {
	const [kind, instance, document, body, ...rest] = payload.split(' ');
	if (!instance || !document || body === undefined || rest.length > 0) return null;
	if (kind === 'u') {
		const id = Number(body);
		return Number.isSafeInteger(id) && id > 0 ? { kind: 'stored', instance, document, id } : null;
	}
	if (kind === 'a') {
		const bytes = Buffer.from(body, 'base64');
		return {
			kind: 'awareness',
			instance,
			document,
			update: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
		};
	}
	return null;
}

/** This process's side of the fan-out: hears the others' notices for the rooms loaded here, relays presence. */
export class FanOut {
	readonly #instanceId: string;
	readonly #channel: NotificationChannel;
	readonly #rooms: Rooms;
	readonly #log: RealtimeLog;
	#stopListening: (() => Promise<void>) | undefined;
	#listenedBefore = false;

	constructor(options: { instanceId: string; channel: NotificationChannel; rooms: Rooms; log: RealtimeLog }) {
		this.#instanceId = options.instanceId;
		this.#channel = options.channel;
		this.#rooms = options.rooms;
		this.#log = options.log;
	}

	async start(): Promise<void> {
		this.#stopListening = await this.#channel.listen(
			REALTIME_CHANNEL,
			(payload) => this.#receive(payload),
			() => this.#onListening()
		);
	}

	async stop(): Promise<void> {
		await this.#stopListening?.().catch(() => {});
	}

	relayAwareness(document: string, update: Uint8Array): void {
		const payload = formatAwarenessNotice(this.#instanceId, document, update);
		if (!payload) return;
		this.#channel.notify(REALTIME_CHANNEL, payload).catch((error) => {
			this.#log.warn('relaying presence failed', { error });
		});
	}

	#receive(payload: string) {
		const notice = parseFanOutNotice(payload);
		if (!notice || notice.instance === this.#instanceId) return;
		this.#rooms
			.find(notice.document)
			?.then((room) => {
				if (notice.kind === 'stored') return room.receiveStored(notice.id);
				room.receiveRemoteAwareness(notice.update);
			})
			.catch((error) => this.#log.error('applying a change from another process failed', { error }));
	}

	/** After the listening connection is re-established, notices may have been missed: catch up. */
	#onListening() {
		if (!this.#listenedBefore) {
			this.#listenedBefore = true;
			return;
		}
		for (const room of this.#rooms.all()) {
			room
				.then((loaded) => loaded.catchUp())
				.catch((error) => this.#log.error('catching up after reconnecting failed', { error }));
		}
	}
}
