/*
 * The notifications' durable job queue: pg-boss, in its own `pgboss` schema of Hearth's PostgreSQL (the
 * embedded server or DATABASE_URL). Jobs are rows, so a job asked for survives a restart, is retried
 * with backoff when it fails, and is taken by exactly one of several processes (pg-boss claims with
 * SKIP LOCKED). Two queues:
 *
 *   notification-email   {userId, mode}: one email for whatever is new for that person; at most one
 *                        waiting per person and mode (policy `short`, singletonKey), deferred with
 *                        startAfter to the end of their quiet hours or to their daily digest
 *   session-reminders    every 5 minutes (pg-boss cron, one job per tick whichever process runs it):
 *                        "starting soon" for the sessions that start in the next hours
 *
 * One queue per process; it holds no one's data. Started after the migrations (hooks.server.ts `init`)
 * and stopped before the database closes (server.js).
 */
import { PgBoss } from 'pg-boss';
import { log } from '../log';

export const EMAIL_QUEUE = 'notification-email';
export const REMINDER_QUEUE = 'session-reminders';

export type EmailJob = { userId: string; mode: 'each' | 'daily' };

export interface QueueHandlers {
	email(job: EmailJob): Promise<unknown>;
	reminders(): Promise<unknown>;
}

export interface QueueOptions {
	databaseUrl: string;
	handlers: QueueHandlers;
	/** Seconds before the first retry; doubled (with jitter) after each failure. */
	retryDelaySeconds?: number;
	pollingIntervalSeconds?: number;
	/** Whether this process runs the cron that starts session reminders. */
	schedule?: boolean;
}

const RETRY_LIMIT = 8;

export class NotificationQueue {
	readonly #boss: PgBoss;
	readonly #options: QueueOptions;

	constructor(options: QueueOptions) {
		this.#options = options;
		// A small pool: the embedded server spends ~10 MB per connection.
		this.#boss = new PgBoss({ connectionString: options.databaseUrl, max: 3, schedule: options.schedule ?? true });
		// pg-boss reports its own failures (a lost connection, a failed maintenance) here; they hold no one's data.
		this.#boss.on('error', (error) => log.error({ area: 'notifications', error }, 'the job queue reported an error'));
	}

	async start(): Promise<void> {
		const { handlers } = this.#options;
		await this.#boss.start();
		const retry = {
			retryLimit: RETRY_LIMIT,
			retryDelay: this.#options.retryDelaySeconds ?? 30,
			retryBackoff: true,
			retryDelayMax: 6 * 3600
		};
		await this.#boss.createQueue(EMAIL_QUEUE, { policy: 'short', ...retry });
		await this.#boss.createQueue(REMINDER_QUEUE, { policy: 'short', retryLimit: 2 });
		const polling = { pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 2 };
		await this.#boss.work<EmailJob>(EMAIL_QUEUE, { ...polling, batchSize: 5 }, async (jobs) => {
			// A failing job throws, so pg-boss retries it; the others in the batch are settled the same way,
			// which is harmless: delivering is idempotent (email.ts).
			for (const job of jobs) await handlers.email(job.data);
		});
		await this.#boss.work(REMINDER_QUEUE, polling, async () => {
			await handlers.reminders();
		});
		if (this.#options.schedule ?? true) await this.#boss.schedule(REMINDER_QUEUE, '*/5 * * * *');
	}

	/** Asks for one email job; null when one for this person and mode is already waiting. */
	sendEmailJob(job: EmailJob, startAfter: Date): Promise<string | null> {
		return this.#boss.send(EMAIL_QUEUE, job, { singletonKey: `${job.userId}:${job.mode}`, startAfter });
	}

	/** The waiting email jobs (for tests and the operator). */
	async listWaitingEmailJobs(): Promise<{ data: EmailJob; startAfter: Date }[]> {
		const jobs = await this.#boss.findJobs<EmailJob>(EMAIL_QUEUE, { queued: true });
		return jobs.map((job) => ({ data: job.data, startAfter: job.startAfter }));
	}

	/** Stops taking jobs, waits (briefly) for those in hand, and closes its connections. */
	async stop(): Promise<void> {
		await this.#boss.stop({ graceful: true, timeout: 10_000, close: true });
	}
}

let processQueue: NotificationQueue | undefined;

/** The process's queue, once started (notifications/index.ts). */
export function getNotificationQueue(): NotificationQueue | undefined {
	return processQueue;
}

export function setNotificationQueue(queue: NotificationQueue | undefined): void {
	processQueue = queue;
}
