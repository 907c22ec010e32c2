// Outgoing email, only when SMTP_URL is configured. Emails leave the practice's control, so what they
// say is fixed here and names no group and no person: the link is the only thing that varies.
import nodemailer from 'nodemailer';
import { getConfig } from '../config';

export function isMailConfigured(): boolean {
	return getConfig().smtpUrl !== undefined;
}

/**
 * A transport for one send. nodemailer waits minutes by default (2 min to connect, 10 min for a reply):
 * every step gets HEARTH_SMTP_TIMEOUT_SECONDS instead, so a hanging mail server fails the send in
 * seconds. Throws when SMTP is not configured.
 */
export function createMailTransport() {
	const { smtpUrl, smtpTimeoutMs } = getConfig();
	if (!smtpUrl) throw new Error('SMTP is not configured');
	// The second argument of createTransport holds message defaults, not these: they go with the URL.
	return nodemailer.createTransport({
		url: smtpUrl,
		connectionTimeout: smtpTimeoutMs,
		greetingTimeout: smtpTimeoutMs,
		socketTimeout: smtpTimeoutMs
	});
}

export const INVITATION_SUBJECT = 'You have an invitation';

export function composeInvitationEmail(link: string, expiresAt: Date) {
	const until = new Intl.DateTimeFormat('en-GB', {
		day: 'numeric',
		month: 'long',
		year: 'numeric',
		timeZone: 'UTC'
	}).format(expiresAt);
	const text = [
		'Hello,',
		'',
		'You have been invited to join a confidential space on Hearth.',
		'',
		'Open this link to accept:',
		link,
		'',
		`The link works once and until ${until}. If you did not expect this, you can ignore this email.`
	].join('\n');
	return { subject: INVITATION_SUBJECT, text };
}

export const PASSWORD_RESET_SUBJECT = 'A link to set a new password';

export function composePasswordResetEmail(link: string, minutes: number) {
	const text = [
		'Hello,',
		'',
		'Your practice has made a link for you to set a new password on Hearth.',
		'',
		'Open this link to choose one:',
		link,
		'',
		`The link works once, for ${minutes} minutes. If you did not ask for this, please tell your practice.`
	].join('\n');
	return { subject: PASSWORD_RESET_SUBJECT, text };
}

export const EMERGENCY_ACCESS_SUBJECT = 'A board you facilitate was opened in an emergency';

/** To a facilitator: one of their groups' boards was opened by a clinical lead. Names nobody and no group. */
export function composeEmergencyAccessEmail(link: string | null) {
	const text = [
		'Hello,',
		'',
		"A clinical lead at your practice has opened one of your groups' boards in an emergency, read-only and",
		'for a limited time. You can see who, why and until when in the staff space of that group on Hearth.',
		...(link ? ['', 'Sign in to see it:', link] : []),
		'',
		'If this is unexpected, please speak to your practice.'
	].join('\n');
	return { subject: EMERGENCY_ACCESS_SUBJECT, text };
}

async function send(to: string, message: { subject: string; text: string }): Promise<void> {
	const transport = createMailTransport();
	try {
		await transport.sendMail({ from: getConfig().mailFrom, to, ...message });
	} finally {
		transport.close();
	}
}

/** Sends an invitation link. Throws when the SMTP server refuses; the caller falls back to the link. */
export async function sendInvitationEmail(input: { to: string; link: string; expiresAt: Date }): Promise<void> {
	await send(input.to, composeInvitationEmail(input.link, input.expiresAt));
}

/** Sends a password reset link. Throws when the SMTP server refuses; the caller falls back to the link. */
export async function sendPasswordResetEmail(input: { to: string; link: string; minutes: number }): Promise<void> {
	await send(input.to, composePasswordResetEmail(input.link, input.minutes));
}

/** Tells a facilitator about emergency access (composeEmergencyAccessEmail). Throws when the SMTP server refuses. */
export async function sendEmergencyAccessEmail(input: { to: string; link: string | null }): Promise<void> {
	await send(input.to, composeEmergencyAccessEmail(input.link));
}
