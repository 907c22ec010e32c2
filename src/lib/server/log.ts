/*
 * Hearth's server log: one JSON line per event (pino), for an operator to search, count and alert on.
 *
 * Nothing a person wrote or who they are may reach it. Events are fixed sentences; details carry ids,
 * kinds, counts and codes. Errors go through describeErrorForLog (kind, code and frames, never the message:
 * database errors quote query parameters), and fields that could carry personal data are censored should
 * one slip into a detail.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { describeErrorForLog } from './safe-log';

const PERSONAL_FIELDS = ['email', 'password', 'body', 'token', 'name', 'displayName', 'note', 'reason', 'text'];

export function createLogger(destination?: DestinationStream): Logger {
	return pino(
		{
			base: undefined,
			timestamp: pino.stdTimeFunctions.isoTime,
			formatters: { level: (label) => ({ level: label }) },
			serializers: { error: describeErrorForLog, err: describeErrorForLog },
			redact: { paths: [...PERSONAL_FIELDS, ...PERSONAL_FIELDS.map((field) => `*.${field}`)], censor: '[redacted]' }
		},
		destination
	);
}

export const log = createLogger();
