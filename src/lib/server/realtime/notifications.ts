import type { DatabaseDriver } from '../db/client';

/**
 * PostgreSQL LISTEN/NOTIFY: every process sharing the database (the embedded server included) hears
 * every notification.
 * NOTIFY payloads are limited to 8000 bytes: callers send ids and small messages, never documents.
 */
export interface NotificationChannel {
	/**
	 * Calls `onMessage` for every notification on `channel` and `onConnected` each time the listening
	 * connection is (re)established: notifications sent while it was down are lost, so callers catch up then.
	 */
	listen(channel: string, onMessage: (payload: string) => void, onConnected?: () => void): Promise<() => Promise<void>>;
	notify(channel: string, payload: string): Promise<void>;
}

export const NOTIFY_PAYLOAD_LIMIT = 7900;

export function createNotificationChannel(sql: DatabaseDriver): NotificationChannel {
	return {
		async listen(channel, onMessage, onConnected) {
			const request = await sql.listen(channel, onMessage, onConnected);
			return () => request.unlisten();
		},
		async notify(channel, payload) {
			await sql.notify(channel, payload);
		}
	};
}
