/*
 * Encoding and decoding Hearth's realtime messages on the server. What they are, with the close codes and
 * refusal reasons, is written once in $lib/realtime/protocol.ts (shared with the browser).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
	messageSync,
	messageAwareness,
	messageQueryAwareness,
	messageSaved,
	messageRefused,
	messageAccess,
	syncStep1,
	syncStep2,
	syncUpdate,
	type RefusalReason
} from '$lib/realtime/protocol';

export * from '$lib/realtime/protocol';

export function encodeSaved(seq: number): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageSaved);
	encoding.writeVarUint(encoder, seq);
	return encoding.toUint8Array(encoder);
}

export function encodeRefused(seq: number, reason: RefusalReason): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageRefused);
	encoding.writeVarUint(encoder, seq);
	encoding.writeVarString(encoder, reason);
	return encoding.toUint8Array(encoder);
}

export function encodeAccess(canWrite: boolean): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageAccess);
	encoding.writeVarUint(encoder, canWrite ? 1 : 0);
	return encoding.toUint8Array(encoder);
}

export function encodeSyncStep1(stateVector: Uint8Array): Uint8Array {
	return encodeSync(syncStep1, stateVector);
}

export function encodeSyncStep2(update: Uint8Array): Uint8Array {
	return encodeSync(syncStep2, update);
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
	return encodeSync(syncUpdate, update);
}

function encodeSync(step: number, payload: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageSync);
	encoding.writeVarUint(encoder, step);
	encoding.writeVarUint8Array(encoder, payload);
	return encoding.toUint8Array(encoder);
}

export function encodeAwarenessMessage(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, messageAwareness);
	encoding.writeVarUint8Array(encoder, update);
	return encoding.toUint8Array(encoder);
}

export type ClientMessage =
	| { type: 'sync-step-1'; stateVector: Uint8Array }
	/** `answer` is the sync step 2 (the client's answer to the server's step 1), else a plain update. */
	| { type: 'update'; update: Uint8Array; answer: boolean }
	| { type: 'awareness'; update: Uint8Array }
	| { type: 'query-awareness' };

/** Parses one client message; null when it is not this protocol (the connection is then closed with 4400). */
export function decodeClientMessage(data: Uint8Array): ClientMessage | null {
	try {
		const decoder = decoding.createDecoder(data);
		const type = decoding.readVarUint(decoder);
		let message: ClientMessage | null = null;
		if (type === messageSync) {
			const step = decoding.readVarUint(decoder);
			const payload = decoding.readVarUint8Array(decoder);
			if (step === syncStep1) message = { type: 'sync-step-1', stateVector: payload };
			else if (step === syncStep2 || step === syncUpdate)
				message = { type: 'update', update: payload, answer: step === syncStep2 };
		} else if (type === messageAwareness) {
			message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
		} else if (type === messageQueryAwareness) {
			message = { type: 'query-awareness' };
		}
		// Trailing bytes mean the sender and we disagree about the framing: refuse rather than guess.
		if (message && decoding.hasContent(decoder)) return null;
		return message;
	} catch {
		return null;
	}
}

export interface AwarenessEntry {
	clientId: number;
	clock: number;
	state: Record<string, unknown> | null;
}

/** Reads an awareness update (y-protocols' format); throws on anything malformed. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
	const decoder = decoding.createDecoder(update);
	const count = decoding.readVarUint(decoder);
	const entries: AwarenessEntry[] = [];
	for (let i = 0; i < count; i++) {
		const clientId = decoding.readVarUint(decoder);
		const clock = decoding.readVarUint(decoder);
		const parsed: unknown = JSON.parse(decoding.readVarString(decoder));
		const state =
			parsed === null
				? null
				: typeof parsed === 'object' && !Array.isArray(parsed)
					? (parsed as Record<string, unknown>)
					: {};
		entries.push({ clientId, clock, state });
	}
	return entries;
}

export function encodeAwarenessUpdate(entries: AwarenessEntry[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, entries.length);
	for (const entry of entries) {
		encoding.writeVarUint(encoder, entry.clientId);
		encoding.writeVarUint(encoder, entry.clock);
		encoding.writeVarString(encoder, JSON.stringify(entry.state));
	}
	return encoding.toUint8Array(encoder);
}
