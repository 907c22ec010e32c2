/*
 * Hearth's realtime protocol: y-websocket's, plus three server messages. The one definition, shared by the
 * browser (src/lib/realtime/realtime-document.svelte.ts) and the server (src/lib/server/realtime/, whose
 * protocol.ts encodes and decodes these messages).
 *
 * Endpoint: `GET /realtime/<document name>` (names as in $lib/board/document-names.ts, e.g.
 * `/realtime/group:<groupId>`), upgraded to a WebSocket on the app's own origin. Authentication is the
 * session cookie; the `Origin` header must be the app's own. Every refusal completes the handshake and
 * closes at once with one of the codes below, before any document byte is sent.
 *
 * Each binary message is a varUint message type followed by its body (lib0/encoding):
 *
 *   type  direction  body
 *   0     both       sync (y-protocols/sync): varUint step, then
 *                      0 step 1   varUint8Array state vector
 *                      1 step 2   varUint8Array Yjs update (V1)
 *                      2 update   varUint8Array Yjs update (V1)
 *   1     both       awareness (y-protocols/awareness): varUint8Array awareness update.
 *                    The server keeps only the entries for client ids this connection owns and replaces
 *                    each state's `user` field with { id, name, role } of the signed-in user.
 *   3     c → s      query awareness: the server answers with every current awareness state.
 *   100   s → c      saved:   varUint seq
 *   101   s → c      refused: varUint seq, varString reason
 *   102   s → c      access:  varUint mode (1 = may write, 0 = read only). Sent first on every connection,
 *                    again whenever it changes (a mute, an archived group).
 *
 * Acknowledgements. An "update message" is a client message of type 0 with step 1 (step 2) or 2 (update).
 * The server numbers a connection's update messages 1, 2, 3 … in the order it receives them and answers
 * each exactly once, in that order: `saved seq` once it is durably stored in PostgreSQL (or changed
 * nothing), `refused seq reason` when nothing of it was applied, stored or forwarded. A client that
 * counts the update messages it sends on a socket knows it is saved when the last answer is `saved` for
 * its count. A refused change stays in the client's own Y.Doc and would be sent again on reconnect; the
 * client should drop that Y.Doc and reconnect with a fresh one.
 *
 * Reconnecting. A client with offline changes may write before it has answered the server's sync step 1
 * (y-websocket does): that update can depend on the offline changes its sync step 2 is about to carry.
 * Until the connection's first sync step 2 has arrived, an update the server cannot place (`incomplete`)
 * is not refused: it waits, with every update message after it, and they are judged together with that
 * step 2 (merged), each answered in order with the common verdict. After the step 2, or past a limit of
 * waiting messages, `incomplete` is a refusal as usual.
 *
 * Forwarding is separate from acknowledgements: the server sends other people's stored changes as
 * `sync update` messages, and changes stored in the same tick go out merged into one message (which may
 * also carry the receiver's own change back; applying it changes nothing). Nothing is forwarded before
 * it is stored.
 *
 * Refusal reasons: `read-only`, `malformed`, `client-id` (a Yjs client id bound to another user, found
 * when judging or, for a first write racing someone else's, when committing),
 * `incomplete` (the update depends on changes the server does not have), `full` (the document has grown
 * to the size limit of its kind; not counted as a violation), `policy: <why>` (the board's
 * change policy said no). The third refusal on a connection closes it with 4408.
 *
 * Close codes (4400–4499 mean "do not reconnect": y-websocket's WebsocketProvider stops by default):
 *   4400 bad request   a message that is not this protocol
 *   4401 unauthenticated  no valid session, or it ended (sign-out, sign out everywhere, expiry)
 *   4403 forbidden     foreign Origin, or the user may not open this document (or no longer may)
 *   4404 not found     the path is not /realtime/<valid document name>
 *   4408 policy        repeated refused updates
 *   4428 agreement     a member who has not signed the group's agreement in force: no byte of the group
 *                      board until they do (their care document stays open: their line to the facilitators)
 *   4413 too big       a message over the size limit
 *   4422 unreadable    the document's stored bytes cannot be opened with this server's data keys (sealed
 *                      with a key it lacks, or altered): reconnecting will not help, the operator must act.
 *                      The browser says the board is not available. (Start-up refuses a key that cannot
 *                      open the database, realtime/key-check.ts, so this means damaged or foreign rows.)
 *   4429 too many      too many open connections for this user
 *   4500 server error  storage failed for now; reconnecting is right (unsaved changes are sent again)
 *   1001 going away    the server is shutting down; reconnect
 */
export const messageSync = 0;
export const messageAwareness = 1;
export const messageAuth = 2;
export const messageQueryAwareness = 3;
export const messageSaved = 100;
export const messageRefused = 101;
export const messageAccess = 102;

export const syncStep1 = 0;
export const syncStep2 = 1;
export const syncUpdate = 2;

export const CloseCode = {
	badRequest: 4400,
	unauthenticated: 4401,
	forbidden: 4403,
	notFound: 4404,
	policy: 4408,
	agreementRequired: 4428,
	tooBig: 4413,
	unreadable: 4422,
	tooMany: 4429,
	serverError: 4500,
	goingAway: 1001
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export type RefusalReason = 'read-only' | 'malformed' | 'client-id' | 'incomplete' | 'full' | `policy: ${string}`;

/** The path prefix the upgrade handler answers; the rest of the path is the document name. */
export const REALTIME_PATH_PREFIX = '/realtime/';
