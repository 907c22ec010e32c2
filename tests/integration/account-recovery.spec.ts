// Account recovery against the real database: password reset links (who may make one, single use, expiry,
// superseded by a newer one, sessions ended, the second factor still asked afterwards), the admin's reset of
// a second factor, and the common-password check on staff passwords wherever they are set.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { generateHOTP } from '@oslojs/otp';
import { deleteOwnAccount } from '$lib/server/account-deletion';
import { db } from '$lib/server/db';
import { auditEvent, groupMember, passwordReset, pendingSignIn, user } from '$lib/server/db/schema';
import { AccountError, changePassword, createAccount } from '$lib/server/auth/accounts';
import { enableSecondFactor, generateTotpSecret, getTimeStep, sealTotpSecret } from '$lib/server/auth/second-factor';
import { signIn, signInWithSecondFactor } from '$lib/server/auth/sign-in';
import { validateSessionToken } from '$lib/server/auth/sessions';
import { getSessionCookieName } from '$lib/server/auth/session-cookie';
import {
	completePasswordReset,
	issuePasswordReset,
	lookUpPasswordReset,
	PasswordResetError,
	type PasswordResetIssuer
} from '$lib/server/auth/password-reset';
import { listSecondFactorHolders, RecoveryRefusal, resetSecondFactor } from '$lib/server/auth/account-recovery';
import { GUESSABLE_PASSWORD } from '$lib/server/auth/password-strength';
import { createRequestEvent, uniqueAddress } from '$test/request-events';
import { actions as memberPageActions } from '../../src/routes/(app)/groups/[groupId]/members/+page.server';
import { joinGroup, makeGroup, ORIGIN, tokenOf } from './groups-fixtures';

const password = 'a calm long password';
const newPassword = 'lanterns over the quiet harbour';
const noWait = async () => {};

async function makeAccount(role: 'admin' | 'staff' | 'member') {
	const email = `${crypto.randomUUID()}@example.org`;
	const created = await createAccount({ email, displayName: 'Ari', password, role });
	return { id: created.id, email, role };
}

async function addSecondFactor(userId: string) {
	const secret = generateTotpSecret();
	await enableSecondFactor(userId, sealTotpSecret(userId, secret), getTimeStep() - 5);
	return secret;
}

/** Signs in with a password (and the code, when asked); the session token. */
async function signInFully(account: { email: string }, secret?: Uint8Array, withPassword = password) {
	const event = createRequestEvent({ address: uniqueAddress() });
	const result = await signIn(event, { email: account.email, password: withPassword, via: 'login' }, { wait: noWait });
	if (result.kind === 'second-factor' && secret) {
		await signInWithSecondFactor(event, { code: generateHOTP(secret, BigInt(getTimeStep()), 6), method: 'code' });
	}
	return { result, token: event.jar.get(getSessionCookieName(event.url)) };
}

function asAdmin(admin: { id: string; role: 'admin' | 'staff' | 'member' }): PasswordResetIssuer {
	return { kind: 'admin', actorId: admin.id, actorRole: admin.role };
}

/** Awaits a promise that must fail with `kind` for `reason`. */
async function expectFailure(
	promise: Promise<unknown>,
	kind: typeof RecoveryRefusal | typeof PasswordResetError,
	reason: string
) {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(kind);
	expect((error as RecoveryRefusal | PasswordResetError).reason).toBe(reason);
}

const expectRefusal = (promise: Promise<unknown>, reason: RecoveryRefusal['reason']) =>
	expectFailure(promise, RecoveryRefusal, reason);
const expectResetError = (promise: Promise<unknown>, reason: PasswordResetError['reason']) =>
	expectFailure(promise, PasswordResetError, reason);

describe('a password reset link made by the admin', () => {
	it('sets the password once, ends every session, and the second factor is still asked afterwards', async () => {
		const admin = await makeAccount('admin');
		const staff = await makeAccount('staff');
		const secret = await addSecondFactor(staff.id);
		const before = await signInFully(staff, secret);
		expect((await validateSessionToken(before.token!)).session).not.toBeNull();

		const issued = await issuePasswordReset({ issuer: asAdmin(admin), userId: staff.id, origin: ORIGIN });
		expect(issued.link).toMatch(/^http:\/\/hearth\.test\/reset\/[a-z2-7]{32}$/);
		expect(issued.mail).toBe('none');
		const token = tokenOf(issued.link);
		const [stored] = await db.select().from(passwordReset).where(eq(passwordReset.userId, staff.id));
		expect(stored.tokenHash).not.toContain(token);
		expect(await lookUpPasswordReset(token)).toEqual({ state: 'open', strongPassword: true });

		await completePasswordReset({ token, password: newPassword });

		expect((await validateSessionToken(before.token!)).session).toBeNull();
		expect((await signInFully(staff, undefined, password)).result.kind).toBe('refused');
		const after = await signInFully(staff, undefined, newPassword);
		expect(after.result).toEqual({ kind: 'second-factor', step: 'code' });
		expect(after.token).toBeUndefined();

		const audit = await db.select().from(auditEvent).where(eq(auditEvent.objectId, staff.id));
		const issuedRow = audit.find((row) => row.action === 'auth.password_reset_issued');
		expect(issuedRow).toMatchObject({ actorId: admin.id, detail: { by: 'admin', emailed: false } });
		expect(audit.find((row) => row.action === 'auth.password_reset')).toMatchObject({ actorId: staff.id });
		expect(JSON.stringify(audit)).not.toContain(token);
	});

	it('cannot be made for a deleted account, and one made before the deletion stops working', async () => {
		const admin = await makeAccount('admin');
		const member = await makeAccount('member');
		const token = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN })).link
		);
		await deleteOwnAccount({ userId: member.id, password, address: uniqueAddress() });

		await expectResetError(completePasswordReset({ token, password: newPassword }), 'invalid');
		await expectRefusal(issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN }), 'not-found');
		expect(await db.select().from(passwordReset).where(eq(passwordReset.userId, member.id))).toEqual([]);
	});

	it('works only once', async () => {
		const admin = await makeAccount('admin');
		const member = await makeAccount('member');
		const token = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN })).link
		);
		await completePasswordReset({ token, password: newPassword });

		expect(await lookUpPasswordReset(token)).toEqual({ state: 'used' });
		await expectResetError(completePasswordReset({ token, password: 'someone else chose this' }), 'used');
		expect((await signInFully(member, undefined, newPassword)).result.kind).toBe('signed-in');
		expect((await signInFully(member, undefined, 'someone else chose this')).result.kind).toBe('refused');
	});

	it('used twice at once, sets the password for one of them only', async () => {
		const admin = await makeAccount('admin');
		const member = await makeAccount('member');
		const token = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN })).link
		);
		const results = await Promise.allSettled([
			completePasswordReset({ token, password: 'first of the two passwords' }),
			completePasswordReset({ token, password: 'second of the two passwords' })
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
	});

	it('stops working when it expires', async () => {
		const admin = await makeAccount('admin');
		const member = await makeAccount('member');
		const token = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN })).link
		);
		await db
			.update(passwordReset)
			.set({ expiresAt: new Date(Date.now() - 1000) })
			.where(eq(passwordReset.userId, member.id));

		expect(await lookUpPasswordReset(token)).toEqual({ state: 'expired' });
		await expectResetError(completePasswordReset({ token, password: newPassword }), 'expired');
		expect((await signInFully(member)).result.kind).toBe('signed-in');
	});

	it('stops working when a newer link is made for the account', async () => {
		const admin = await makeAccount('admin');
		const member = await makeAccount('member');
		const first = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN })).link
		);
		const second = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN })).link
		);

		expect(await lookUpPasswordReset(first)).toEqual({ state: 'superseded' });
		await expectResetError(completePasswordReset({ token: first, password: newPassword }), 'superseded');
		await completePasswordReset({ token: second, password: newPassword });
		expect((await signInFully(member, undefined, newPassword)).result.kind).toBe('signed-in');
	});

	it('is refused for a made-up or malformed token', async () => {
		expect(await lookUpPasswordReset('a'.repeat(32))).toEqual({ state: 'invalid' });
		expect(await lookUpPasswordReset('../../etc')).toEqual({ state: 'invalid' });
		await expectResetError(completePasswordReset({ token: 'b'.repeat(32), password: newPassword }), 'invalid');
	});

	it('drops a sign-in half done with the old password, so its code step cannot finish', async () => {
		const admin = await makeAccount('admin');
		const staff = await makeAccount('staff');
		const secret = await addSecondFactor(staff.id);
		const attacker = createRequestEvent({ address: uniqueAddress() });
		await signIn(attacker, { email: staff.email, password, via: 'login' }, { wait: noWait });
		const token = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: staff.id, origin: ORIGIN })).link
		);

		await completePasswordReset({ token, password: newPassword });

		expect(await db.select().from(pendingSignIn).where(eq(pendingSignIn.userId, staff.id))).toHaveLength(0);
		const code = generateHOTP(secret, BigInt(getTimeStep()), 6);
		expect(await signInWithSecondFactor(attacker, { code, method: 'code' })).toEqual({ kind: 'expired' });
	});

	it('may not be made by anyone but an admin, nor by an admin for their own account', async () => {
		const admin = await makeAccount('admin');
		const staff = await makeAccount('staff');
		const member = await makeAccount('member');
		await expectRefusal(issuePasswordReset({ issuer: asAdmin(staff), userId: member.id, origin: ORIGIN }), 'not-found');
		await expectRefusal(issuePasswordReset({ issuer: asAdmin(member), userId: staff.id, origin: ORIGIN }), 'not-found');
		await expectRefusal(
			issuePasswordReset({ issuer: asAdmin(admin), userId: admin.id, origin: ORIGIN }),
			'not-allowed'
		);
		await expectRefusal(
			issuePasswordReset({ issuer: asAdmin(admin), userId: crypto.randomUUID(), origin: ORIGIN }),
			'not-found'
		);
		expect(await db.select().from(passwordReset).where(eq(passwordReset.createdBy, staff.id))).toHaveLength(0);
	});
});

describe('a password reset link made by a facilitator', () => {
	it('is made for a member of their group', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		const issuer = { kind: 'facilitator', actorId: facilitator.id, groupId: group.id } as const;

		const issued = await issuePasswordReset({ issuer, userId: member.id, origin: ORIGIN });
		await completePasswordReset({ token: tokenOf(issued.link), password: newPassword });

		const [row] = await db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, 'auth.password_reset_issued'), eq(auditEvent.objectId, member.id)));
		expect(row).toMatchObject({ actorId: facilitator.id, objectId: member.id, groupId: group.id });
	});

	it('is refused for someone outside the group, a removed member, staff, or through another group', async () => {
		const { group, facilitator } = await makeGroup();
		const other = await makeGroup();
		const outsider = await joinGroup(other.group.id, other.facilitator.id);
		const removed = await joinGroup(group.id, facilitator.id);
		await db.update(groupMember).set({ status: 'removed' }).where(eq(groupMember.userId, removed.id));
		const member = await joinGroup(group.id, facilitator.id);
		const staffAsMember = await joinGroup(group.id, facilitator.id);
		await db.update(user).set({ role: 'staff' }).where(eq(user.id, staffAsMember.id));
		const issuer = { kind: 'facilitator', actorId: facilitator.id, groupId: group.id } as const;

		await expectRefusal(issuePasswordReset({ issuer, userId: outsider.id, origin: ORIGIN }), 'not-found');
		await expectRefusal(issuePasswordReset({ issuer, userId: removed.id, origin: ORIGIN }), 'not-found');
		await expectRefusal(issuePasswordReset({ issuer, userId: other.facilitator.id, origin: ORIGIN }), 'not-found');
		await expectRefusal(issuePasswordReset({ issuer, userId: staffAsMember.id, origin: ORIGIN }), 'not-allowed');
		// A facilitator of another group naming this group gets nowhere either.
		await expectRefusal(
			issuePasswordReset({
				issuer: { kind: 'facilitator', actorId: other.facilitator.id, groupId: group.id },
				userId: member.id,
				origin: ORIGIN
			}),
			'not-found'
		);
		expect(await db.select().from(passwordReset).where(eq(passwordReset.createdBy, facilitator.id))).toHaveLength(0);
		expect(await db.select().from(passwordReset).where(eq(passwordReset.userId, member.id))).toHaveLength(0);
	});

	it('is refused to a member, through the members page too', async () => {
		const { group, facilitator } = await makeGroup();
		const member = await joinGroup(group.id, facilitator.id);
		const peer = await joinGroup(group.id, facilitator.id);
		await expectRefusal(
			issuePasswordReset({
				issuer: { kind: 'facilitator', actorId: member.id, groupId: group.id },
				userId: peer.id,
				origin: ORIGIN
			}),
			'not-found'
		);

		const sessionUser = { id: member.id, email: member.email, displayName: member.displayName, role: member.role };
		const body = new FormData();
		body.set('userId', peer.id);
		const event = {
			...createRequestEvent({ path: `/groups/${group.id}/members`, locals: { user: sessionUser, session: null } }),
			params: { groupId: group.id },
			request: new Request(`${ORIGIN}/groups/${group.id}/members?/resetLink`, { method: 'POST', body })
		};
		await expect(memberPageActions.resetLink(event as never)).rejects.toMatchObject({ status: 404 });
		expect(await db.select().from(passwordReset).where(eq(passwordReset.userId, peer.id))).toHaveLength(0);
	});
});

describe('the password rules on a reset', () => {
	it('refuse a common staff password and leave the link usable', async () => {
		const admin = await makeAccount('admin');
		const staff = await makeAccount('staff');
		const token = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: staff.id, origin: ORIGIN })).link
		);

		await expectResetError(completePasswordReset({ token, password: 'password1234' }), 'password');
		await expectResetError(completePasswordReset({ token, password: 'short' }), 'password');
		expect(await lookUpPasswordReset(token)).toEqual({ state: 'open', strongPassword: true });
		await completePasswordReset({ token, password: newPassword });
	});

	it('take a member at the length rule alone', async () => {
		const admin = await makeAccount('admin');
		const member = await makeAccount('member');
		const token = tokenOf(
			(await issuePasswordReset({ issuer: asAdmin(admin), userId: member.id, origin: ORIGIN })).link
		);
		expect(await lookUpPasswordReset(token)).toEqual({ state: 'open', strongPassword: false });
		await completePasswordReset({ token, password: 'sunshine2020' });
		expect((await signInFully(member, undefined, 'sunshine2020')).result.kind).toBe('signed-in');
	});
});

describe('common passwords on staff accounts', () => {
	it('are refused when the admin creates a staff account, and for the first admin', async () => {
		for (const guessable of ['password1234', 'qwertyuiop123', 'Summer2024!', 'iloveyou12']) {
			await expect(
				createAccount({
					email: `${crypto.randomUUID()}@example.org`,
					displayName: 'Ari',
					password: guessable,
					role: 'staff'
				})
			).rejects.toThrow(GUESSABLE_PASSWORD);
		}
		await expect(
			createAccount({
				email: 'rowan.quill@example.org',
				displayName: 'Rowan Quill',
				password: 'rowanquill1',
				role: 'admin'
			})
		).rejects.toThrow(AccountError);
		// Members keep the length rule only (docs/sign-in.md).
		await expect(
			createAccount({
				email: `${crypto.randomUUID()}@example.org`,
				displayName: 'Ari',
				password: 'password1234',
				role: 'member'
			})
		).resolves.toBeDefined();
	});

	it('are refused when staff change their password; the old one keeps working', async () => {
		const staff = await makeAccount('staff');
		await expect(
			changePassword(
				{ userId: staff.id, currentPassword: password, newPassword: 'password1234', address: uniqueAddress() },
				{ wait: noWait }
			)
		).rejects.toThrow(GUESSABLE_PASSWORD);
		expect((await signInFully(staff, undefined, 'password1234')).result.kind).toBe('refused');
		expect((await signInFully(staff)).result).toEqual({ kind: 'second-factor', step: 'enrol' });
	});
});

describe('the admin resetting a second factor', () => {
	it('takes it off, ends every session, is audited, and staff set it up again at the next sign-in', async () => {
		const admin = await makeAccount('admin');
		const staff = await makeAccount('staff');
		const secret = await addSecondFactor(staff.id);
		const before = await signInFully(staff, secret);
		expect(await listSecondFactorHolders([staff.id, admin.id])).toEqual(new Set([staff.id]));

		await resetSecondFactor({ actorId: admin.id, actorRole: 'admin', userId: staff.id });

		expect(await listSecondFactorHolders([staff.id])).toEqual(new Set());
		expect((await validateSessionToken(before.token!)).session).toBeNull();
		const after = await signInFully(staff);
		expect(after.result).toEqual({ kind: 'second-factor', step: 'enrol' });
		expect(after.token).toBeUndefined();
		const [row] = await db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, 'auth.second_factor_reset'), eq(auditEvent.objectId, staff.id)));
		expect(row).toMatchObject({ actorId: admin.id, objectId: staff.id, detail: { had_second_factor: true } });
	});

	it('leaves a member signing in with their password alone', async () => {
		const admin = await makeAccount('admin');
		const member = await makeAccount('member');
		await addSecondFactor(member.id);
		await resetSecondFactor({ actorId: admin.id, actorRole: 'admin', userId: member.id });
		expect((await signInFully(member)).result.kind).toBe('signed-in');
	});

	it('is refused to anyone but an admin, and to an admin for their own account', async () => {
		const admin = await makeAccount('admin');
		const staff = await makeAccount('staff');
		const other = await makeAccount('staff');
		await addSecondFactor(other.id);
		await expectRefusal(resetSecondFactor({ actorId: staff.id, actorRole: 'staff', userId: other.id }), 'not-found');
		await expectRefusal(resetSecondFactor({ actorId: admin.id, actorRole: 'admin', userId: admin.id }), 'not-allowed');
		expect(await listSecondFactorHolders([other.id])).toEqual(new Set([other.id]));
	});
});
