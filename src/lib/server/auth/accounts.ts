import { eq, sql } from 'drizzle-orm';
import { db, type Database } from '../db';
import { generateId } from '../db/ids';
import { user, type PracticeRole, type User } from '../db/schema';
import { checkInput } from '../forms';
import { newAccountForm, newPassword, normaliseEmail } from './forms';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords';
import { recordFailedSignIn } from '../audit';
import {
	checkPasswordWithinLimits,
	describeSignInPause,
	getLoginKeys,
	type PasswordCheckOptions
} from './login-limits';
import { invalidateUserSessions } from './sessions';
import { GUESSABLE_PASSWORD, isGuessablePassword, requiresStrongPassword } from './password-strength';

export class AccountError extends Error {
	/** `paused`: refused by the sign-in limits without checking the password (auth/login-limits.ts). */
	constructor(
		message: string,
		readonly paused = false
	) {
		super(message);
	}
}

export interface NewAccount {
	email: string;
	displayName: string;
	password: string;
	role: PracticeRole;
}

/**
 * The one rule for a password being set on an account (new, changed or reset): the length, and for admin and
 * staff accounts not guessable (auth/password-strength.ts). Throws AccountError with a message for the person.
 */
export async function checkNewPassword(
	account: Pick<User, 'role' | 'email' | 'displayName'>,
	password: string
): Promise<string> {
	const checked = checkInput(newPassword, password, (message) => new AccountError(message));
	if (
		requiresStrongPassword(account.role) &&
		(await isGuessablePassword(checked, [account.email, account.displayName]))
	) {
		throw new AccountError(GUESSABLE_PASSWORD);
	}
	return checked;
}

/** What a person typed, normalised; throws AccountError with a message meant for them. */
async function checkNewAccount(account: NewAccount): Promise<NewAccount> {
	const checked = {
		...checkInput(newAccountForm, account, (message) => new AccountError(message)),
		role: account.role
	};
	await checkNewPassword(checked, checked.password);
	return checked;
}

async function insertAccount(tx: Database, account: NewAccount): Promise<User> {
	const { email } = account;
	const [existing] = await tx.select({ id: user.id }).from(user).where(eq(user.email, email));
	if (existing) throw new AccountError('An account with this email already exists.');
	const [created] = await tx
		.insert(user)
		.values({
			id: generateId(),
			email,
			displayName: account.displayName,
			passwordHash: await hashPassword(account.password),
			role: account.role
		})
		.returning();
	return created;
}

/** Creates an account. Throws AccountError (safe to show) when the input is not acceptable. */
export async function createAccount(account: NewAccount): Promise<User> {
	return insertAccount(db, await checkNewAccount(account));
}

// Once an admin exists one always will (setup never reopens), so a positive answer can be remembered.
let adminExists = false;

export async function hasAdmin(): Promise<boolean> {
	if (adminExists) return true;
	const [row] = await db.select({ id: user.id }).from(user).where(eq(user.role, 'admin')).limit(1);
	adminExists = row !== undefined;
	return adminExists;
}

// Serialises first-run setup so two browsers racing on /setup cannot both create an admin.
const SETUP_LOCK = 727_002;

/** Creates the practice's first admin; returns null when an admin already exists (setup is closed). */
export async function createFirstAdmin(account: Omit<NewAccount, 'role'>): Promise<User | null> {
	const admin = await checkNewAccount({ ...account, role: 'admin' });
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
		const [existing] = await tx.select({ id: user.id }).from(user).where(eq(user.role, 'admin')).limit(1);
		if (existing) return null;
		return insertAccount(tx as unknown as Database, admin);
	});
}

/**
 * The account's id when the password is its own, else null. A wrong password and an unknown email cost the
 * same work (one argon2 verification), so the answer never reveals whether an account exists. Callers go
 * through the sign-in limits (sign-in.ts); nothing of the row but the id leaves this function.
 */
export async function verifyCredentials(email: string, password: string): Promise<string | null> {
	const [found] = await db
		.select({ id: user.id, passwordHash: user.passwordHash })
		.from(user)
		.where(eq(user.email, normaliseEmail(email)));
	if (!found) {
		await verifyAgainstDummy(password);
		return null;
	}
	return (await verifyPassword(found.passwordHash, password)) ? found.id : null;
}

/** Where a signed-in person proves their password again; recorded with a failure (audit detail `via`). */
export type ReauthenticationPurpose =
	'password_change' | 'export' | 'second_factor' | 'account_deletion' | 'emergency_access';

/**
 * Checks that a signed-in person still knows their password (recent re-authentication), under the same
 * limits as signing in: failures count against the same account and address, and a paused pair is refused
 * without checking. Throws AccountError (safe to show) when the password is wrong or the attempt is refused.
 */
export async function confirmPassword(
	input: { userId: string; password: string; address: string; via: ReauthenticationPurpose },
	options: PasswordCheckOptions = {}
): Promise<void> {
	const [found] = await db.select({ email: user.email }).from(user).where(eq(user.id, input.userId));
	if (!found) throw new AccountError('Your current password did not match. Please try again.');
	const keys = getLoginKeys(found.email, input.address);
	const check = await checkPasswordWithinLimits(
		keys,
		async () => (await verifyCredentials(found.email, input.password)) === input.userId,
		options
	);
	if (check !== 'accepted') {
		await recordFailedSignIn({ accountKey: keys.account, via: input.via, refused: check === 'refused' });
		throw check === 'refused'
			? new AccountError(describeSignInPause(), true)
			: new AccountError('Your current password did not match. Please try again.');
	}
}

/**
 * Changes the password after checking the current one (`confirmPassword`), and signs the account out
 * everywhere. Throws AccountError (safe to show) when the current password is wrong, the attempt is
 * refused, or the new one is not acceptable.
 */
export async function changePassword(
	input: { userId: string; currentPassword: string; newPassword: string; address: string },
	options: PasswordCheckOptions = {}
): Promise<void> {
	await confirmPassword(
		{ userId: input.userId, password: input.currentPassword, address: input.address, via: 'password_change' },
		options
	);
	const [account] = await db
		.select({ role: user.role, email: user.email, displayName: user.displayName })
		.from(user)
		.where(eq(user.id, input.userId));
	await checkNewPassword(account, input.newPassword);
	await db
		.update(user)
		.set({ passwordHash: await hashPassword(input.newPassword) })
		.where(eq(user.id, input.userId));
	await invalidateUserSessions(input.userId);
}

export async function listStaff(): Promise<Pick<User, 'id' | 'displayName' | 'email' | 'role' | 'createdAt'>[]> {
	return db
		.select({
			id: user.id,
			displayName: user.displayName,
			email: user.email,
			role: user.role,
			createdAt: user.createdAt
		})
		.from(user)
		.where(sql`${user.role} in ('admin', 'staff')`)
		.orderBy(user.displayName);
}
