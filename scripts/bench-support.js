// What the benchmarks share: clean-up on the way out, free ports, and figures as "median (min–max)".
export { findFreePort } from '../tests/support/postgres.js';

/** @type {Array<() => Promise<void>>} */
const cleanups = [];

/** Runs `cleanup` when the benchmark ends (last registered, first run). */
export function onCleanUp(/** @type {() => Promise<void>} */ cleanup) {
	cleanups.push(cleanup);
}

export async function cleanUp() {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}

/** @param {number[]} values */
export function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
}

/**
 * "median (min–max)", or the one value; `digits` after the point (default: 1 below 10, else 0).
 * @param {number[]} values
 * @param {number} [digits]
 */
export function spread(values, digits) {
	if (values.length === 0) return '—';
	const sorted = [...values].sort((a, b) => a - b);
	const places = digits ?? (sorted[sorted.length - 1] < 10 ? 1 : 0);
	const middle = median(sorted).toFixed(places);
	return sorted.length === 1
		? middle
		: `${middle} (${sorted[0].toFixed(places)}–${sorted[sorted.length - 1].toFixed(places)})`;
}

/**
 * A member joins a group the way people do: an invitation from the facilitator, accepted with the
 * agreement in force. `app` is the benchmark's loaded app modules (invitations, agreements).
 */
export async function joinByInvitation(
	app,
	/** @type {{ groupId: string; facilitatorId: string; memberId: string; name: string }} */ join
) {
	const agreement = await app.agreements.getCurrentAgreement(join.groupId);
	const invitation = await app.invitations.createInvitation({
		groupId: join.groupId,
		actorId: join.facilitatorId,
		email: '',
		note: '',
		origin: 'http://127.0.0.1'
	});
	await app.invitations.acceptInvitation({
		token: invitation.link.split('/').at(-1),
		userId: join.memberId,
		typedName: join.name,
		agreementVersion: agreement.version
	});
}
