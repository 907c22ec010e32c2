/*
 * Admission: whether an upgrade to /realtime/<document> may become a connection. In order, all before
 * the first document byte: path → Origin → session cookie → may this person read this document →
 * connections per person (a slot, counted across processes: connection-slots.ts).
 */
import type { IncomingMessage } from 'node:http';
import { parseDocumentName, type ParsedDocumentName } from '$lib/board/document-names';
import { getSessionCookieName } from '../auth/session-cookie';
import type { DocumentAccess, DocumentGrant } from './access';
import type { ConnectionSlots } from './connection-slots';
import type { RealtimeHooks, RealtimeSession } from './options';
import { CloseCode, REALTIME_PATH_PREFIX } from './protocol';
import type { RealtimeLog } from './room';

export interface Refusal {
	ok: false;
	code: CloseCode;
	reason: string;
}

export interface Admitted {
	ok: true;
	/** Given back when the socket closes, whichever way it goes. */
	slotId: string;
	document: string;
	parsed: ParsedDocumentName;
	session: RealtimeSession;
	/** The cookie token, kept only to slide the session while the person writes. */
	sessionToken: string;
	grant: DocumentGrant;
}

export type Admission = Admitted | Refusal;

export interface AdmissionRules {
	hooks: RealtimeHooks;
	slots: ConnectionSlots;
	maxConnectionsPerUser: number;
	/** The app's origin; when unset (vite dev) the Origin must match the request's Host. */
	origin?: string;
	log: RealtimeLog;
}

export async function admit(request: IncomingMessage, path: string, rules: AdmissionRules): Promise<Admission> {
	let document: string;
	try {
		document = decodeURIComponent(path.slice(REALTIME_PATH_PREFIX.length));
	} catch {
		return notFound;
	}
	const parsed = parseDocumentName(document);
	if (!parsed) return notFound;

	const origin = checkOrigin(request, rules.origin);
	if (!origin) return { ok: false, code: CloseCode.forbidden, reason: 'origin not allowed' };

	const token = readCookie(request.headers.cookie, getSessionCookieName(origin));
	const session = token ? await rules.hooks.authenticate(token) : null;
	if (!token || !session) return { ok: false, code: CloseCode.unauthenticated, reason: 'sign in first' };

	const refuse = (refusal: Refusal): Refusal => {
		rules.hooks.onRefuse?.(session.userId, document, refusal.code).catch((error) => {
			rules.log.error('recording a refused connection failed', { error });
		});
		return refusal;
	};
	// The slot is taken while access is decided (one round trip, not two), and given back if access is refused.
	const taking = rules.slots.take(session.userId, rules.maxConnectionsPerUser);
	const giveBack = async () => {
		const slotId = await taking.catch(() => null);
		if (slotId) await rules.slots.release(slotId);
	};
	let access: DocumentAccess;
	try {
		access = await rules.hooks.authorize(session.userId, parsed);
	} catch (error) {
		await giveBack();
		throw error;
	}
	if (!access.ok) {
		await giveBack();
		return refuse(refusalFor(access));
	}
	const slotId = await taking;
	if (!slotId) return refuse({ ok: false, code: CloseCode.tooMany, reason: 'too many open connections' });
	return { ok: true, slotId, document, parsed, session, sessionToken: token, grant: access.grant };
}

/** The close code and reason for a person who may not (or may no longer) read a document. */
export function refusalFor(access: Extract<DocumentAccess, { ok: false }>): Refusal {
	return access.why === 'unsigned'
		? { ok: false, code: CloseCode.agreementRequired, reason: 'sign the agreement' }
		: { ok: false, code: CloseCode.forbidden, reason: 'not allowed' };
}

const notFound: Refusal = { ok: false, code: CloseCode.notFound, reason: 'no such document' };

/** The origin the request came from when it is the app's own, else null. */
function checkOrigin(request: IncomingMessage, appOrigin: string | undefined): URL | null {
	const header = request.headers.origin;
	if (!header) return null;
	let origin: URL;
	try {
		origin = new URL(header);
	} catch {
		return null;
	}
	if (appOrigin) return origin.origin === new URL(appOrigin).origin ? origin : null;
	return request.headers.host && origin.host === request.headers.host ? origin : null;
}

function readCookie(header: string | undefined, name: string): string | undefined {
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const index = part.indexOf('=');
		if (index === -1) continue;
		if (part.slice(0, index).trim() === name) {
			try {
				return decodeURIComponent(part.slice(index + 1).trim());
			} catch {
				return undefined;
			}
		}
	}
	return undefined;
}
