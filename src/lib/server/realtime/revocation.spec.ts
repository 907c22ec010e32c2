// Revocation is immediate: removal, sign-out and expiry close that person's sockets within a second;
// a mute turns them read-only without closing.
import { describe, expect, it } from 'vitest';
import { createPost, getPost } from '$lib/board/posts';
import { connection } from '$lib/server/db';
import { session } from '$lib/server/db/schema';
import {
	generateSessionToken,
	hashSessionToken,
	invalidateSession,
	invalidateUserSessions
} from '$lib/server/auth/sessions';
import { CloseCode } from './protocol';
import { TestClient, createPerson, loadStoredDocument, startRealtimeCircle, waitFor } from '$test/realtime';

const { server, groups, facilitator: robin, groupId, document } = await startRealtimeCircle();

async function connectedMember(name: string) {
	const person = await createPerson(name);
	await groups.add(groupId, person, robin);
	const client = new TestClient(server, document, { person });
	await client.waitForSync();
	return { person, client };
}

/** Runs `revoke` and returns how long until the socket closed, and with which code. */
async function timeClose(client: TestClient, revoke: () => Promise<void>) {
	const started = Date.now();
	await revoke();
	const code = await client.waitForClose(5_000);
	return { code, ms: Date.now() - started };
}

describe('closes the sockets of', () => {
	it('a member a facilitator removes (4403, within a second)', async () => {
		const { person, client } = await connectedMember('Ada');
		try {
			const { code, ms } = await timeClose(client, () => groups.remove(groupId, person, robin));
			expect(code).toBe(CloseCode.forbidden);
			expect(ms).toBeLessThan(1000);
			// y-websocket treats 44xx as final: no reconnecting behind the facilitator's back.
			await new Promise((resolve) => setTimeout(resolve, 400));
			expect(client.closeCodes).toEqual([CloseCode.forbidden]);
		} finally {
			client.destroy();
		}
	});

	it('someone who signs out (4401, within a second)', async () => {
		const { person, client } = await connectedMember('Bea');
		try {
			const { code, ms } = await timeClose(client, () => invalidateSession(person.sessionId, person.userId));
			expect(code).toBe(CloseCode.unauthenticated);
			expect(ms).toBeLessThan(1000);
		} finally {
			client.destroy();
		}
	});

	it('every device of someone who signs out everywhere', async () => {
		const { person, client } = await connectedMember('Cy');
		const second = new TestClient(server, document, { person });
		try {
			await second.waitForSync();
			await invalidateUserSessions(person.userId);
			expect(await client.waitForClose(1000)).toBe(CloseCode.unauthenticated);
			expect(await second.waitForClose(1000)).toBe(CloseCode.unauthenticated);
		} finally {
			client.destroy();
			second.destroy();
		}
	});

	it('a member whose signature becomes outdated by a new agreement (4428, within a second); facilitators stay', async () => {
		const { client } = await connectedMember('Fay');
		const facilitator = new TestClient(server, document, { person: robin });
		try {
			await facilitator.waitForSync();
			const { code, ms } = await timeClose(client, () => groups.publishNewAgreement(groupId, robin));
			expect(code).toBe(CloseCode.agreementRequired);
			expect(ms).toBeLessThan(1000);
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect(facilitator.closeCodes).toEqual([]);
		} finally {
			client.destroy();
			facilitator.destroy();
		}
	});

	it('someone whose session expires while connected', async () => {
		const person = await createPerson('Dee');
		await groups.add(groupId, person, robin);
		// A session with a second and a half to live, as if its idle timeout were almost reached.
		const token = generateSessionToken();
		const now = Date.now();
		await connection.db.insert(session).values({
			id: hashSessionToken(token),
			userId: person.userId,
			createdAt: new Date(now),
			lastSeenAt: new Date(now),
			expiresAt: new Date(now + 1500)
		});
		const client = new TestClient(server, document, { person: { ...person, token } });
		try {
			await client.waitForSync();
			expect(await client.waitForClose(3000)).toBe(CloseCode.unauthenticated);
			expect(Date.now() - now).toBeLessThan(1500 + 1500);
		} finally {
			client.destroy();
		}
	});
});

describe('a mute', () => {
	it('turns the member read-only at once: they still see the board, their changes are refused', async () => {
		const { person, client } = await connectedMember('Eli');
		const facilitator = new TestClient(server, document, { person: robin });
		try {
			await facilitator.waitForSync();
			expect(client.canWrite).toBe(true);
			await groups.mute(groupId, person, robin);
			await waitFor(() => client.canWrite === false, 1000);

			const attempted = createPost(client.doc, { authorId: person.userId, body: 'Can I still post?' });
			await waitFor(() => client.refusals.length > 0);
			expect(client.refusals.map((refusal) => refusal.reason)).toEqual(['read-only']);

			const announced = createPost(facilitator.doc, { authorId: robin.userId, body: 'Welcome back, everyone.' });
			await facilitator.waitForSaved();
			await waitFor(() => getPost(client.doc, announced) !== null);
			expect(getPost(await loadStoredDocument(document), attempted)).toBeNull();
			expect(getPost(facilitator.doc, attempted)).toBeNull();
			expect(client.closeCodes).toEqual([]);
		} finally {
			client.destroy();
			facilitator.destroy();
		}
	});
});
