// The form boundary: FormData in, a typed value or a 400 with the message the page shows.
import { describe, expect, it } from 'vitest';
import type { ActionFailure } from '@sveltejs/kit';
import * as v from 'valibot';
import { LIMITS } from '$lib/board/schema';
import { changePasswordForm, newAccountForm, setupForm, signInForm } from './auth/forms';
import { checkInput, isRefused, parseForm, readTyped, requiredText } from './forms';
import {
	addFacilitatorForm,
	lifecycleForm,
	memberForm,
	newGroupForm,
	publishAgreementForm,
	signatureForm
} from './groups/forms';
import { invitationForm, invitationIdForm } from './invitations/forms';
import { flagForm, hideForm, muteForm, postForm, redactForm, resolveForm } from './moderation/forms';
import { addPromptForm, removePromptForm, updatePromptForm } from './prompts/forms';
import { addSessionForm, removeSessionForm, updateSessionForm } from './schedule/forms';
import { crisisLinesForm, urgentMessageForm } from './support/forms';

const ID = 'abcdefghijklmnopqrstuvwx';

function formOf(fields: Record<string, string | string[] | Blob>): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) {
		for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
	}
	return form;
}

/** The message a refused form carries, or null when it was accepted. */
function refusal(
	fields: Record<string, string | string[] | Blob>,
	schema: Parameters<typeof parseForm>[1]
): string | null {
	const parsed = parseForm(formOf(fields), schema) as object | ActionFailure<{ message: string }>;
	return isRefused(parsed) ? parsed.data.message : null;
}

const account = { email: 'Sam@Example.org ', displayName: ' Sam ', password: 'a long enough phrase' };

describe('parseForm', () => {
	it('gives the typed, trimmed value of a good form', () => {
		expect(parseForm(formOf(account), newAccountForm)).toEqual({
			email: 'sam@example.org',
			displayName: 'Sam',
			password: 'a long enough phrase'
		});
	});

	it('refuses with a 400, the first problem’s message and the data it was given', () => {
		const parsed = parseForm(formOf({ ...account, email: 'nope', displayName: '' }), newAccountForm, {
			action: 'createAccount'
		});
		expect(isRefused(parsed)).toBe(true);
		expect(parsed).toMatchObject({
			status: 400,
			data: { action: 'createAccount', message: 'Please enter a valid email address.' }
		});
	});

	it('counts a missing field as empty', () => {
		expect(refusal({ email: 'sam@example.org', password: 'a long enough phrase' }, newAccountForm)).toBe(
			'Please enter the name you would like to go by.'
		);
		expect(parseForm(formOf({ postId: ID }), flagForm)).toEqual({ postId: ID, note: '' });
	});

	it('refuses a field sent twice, and a file where text belongs, with the field’s own message', () => {
		expect(refusal({ ...account, email: ['sam@example.org', 'kim@example.org'] }, newAccountForm)).toBe(
			'Please enter a valid email address.'
		);
		expect(refusal({ ...account, displayName: new File(['Sam'], 'name.txt') }, newAccountForm)).toBe(
			'Please enter the name you would like to go by.'
		);
	});

	it('ignores fields the schema does not name', () => {
		expect(parseForm(formOf({ ...account, role: 'admin' }), newAccountForm)).not.toHaveProperty('role');
	});
});

describe('every form’s messages are for a person', () => {
	const forms = {
		newAccountForm,
		setupForm,
		signInForm,
		changePasswordForm,
		newGroupForm,
		lifecycleForm,
		signatureForm,
		publishAgreementForm,
		memberForm,
		addFacilitatorForm,
		invitationForm,
		invitationIdForm,
		postForm,
		flagForm,
		hideForm,
		redactForm,
		resolveForm,
		muteForm,
		addPromptForm,
		updatePromptForm,
		removePromptForm,
		addSessionForm,
		updateSessionForm,
		removeSessionForm,
		crisisLinesForm,
		urgentMessageForm
	};
	it.each(Object.entries(forms))('%s: a file in any field gets a message of ours, never valibot’s', (_, schema) => {
		for (const [name, field] of Object.entries(schema.entries as v.ObjectEntries)) {
			const message = refusal({ [name]: new File(['x'], 'x.txt') }, v.object({ [name]: field }));
			expect(message, name).toMatch(/^[A-Z“]/);
			expect(message, name).not.toMatch(/Invalid|Expected|received/);
		}
	});
});

describe('the email rule', () => {
	const email = (value: string) => refusal({ ...account, email: value }, newAccountForm);

	it('accepts an address with surrounding spaces and capitals, stored normalised', () => {
		expect(email('  Kim.Lee@Example.ORG ')).toBeNull();
		expect(parseForm(formOf({ ...account, email: ' Kim@X.org' }), newAccountForm)).toMatchObject({
			email: 'kim@x.org'
		});
	});

	it('refuses what is not an address, and addresses over 254 characters', () => {
		for (const bad of ['', 'kim', 'kim@example', 'kim @example.org', '@example.org', `${'k'.repeat(250)}@x.org`]) {
			expect(email(bad), bad).toBe('Please enter a valid email address.');
		}
	});

	it('is the same rule for an invitation, where an empty address means no email', () => {
		expect(parseForm(formOf({ email: '  ', note: ' ' }), invitationForm)).toEqual({ email: null, note: null });
		expect(parseForm(formOf({ email: ' Kim@Example.org' }), invitationForm)).toEqual({
			email: 'kim@example.org',
			note: null
		});
		expect(refusal({ email: 'kim@example' }, invitationForm)).toBe(
			'Please check the email address, or leave it empty to copy the link yourself.'
		);
	});
});

describe('limits', () => {
	it('count characters after trimming, and share the board’s limits', () => {
		expect(refusal({ kind: 'arriving', text: ` ${'x'.repeat(LIMITS.promptChars)} ` }, addPromptForm)).toBeNull();
		expect(refusal({ kind: 'arriving', text: 'x'.repeat(LIMITS.promptChars + 1) }, addPromptForm)).toBe(
			`Please keep a prompt under ${LIMITS.promptChars} characters.`
		);
		expect(refusal({ postId: ID, note: 'x'.repeat(LIMITS.reasonChars + 1) }, flagForm)).toBe(
			`Please keep the reason under ${LIMITS.reasonChars} characters.`
		);
	});

	it('refuse text that is only spaces where words are required', () => {
		expect(refusal({ kind: 'arriving', text: '   ' }, addPromptForm)).toBe('Please write the prompt.');
		expect(refusal({ consent: 'on', typedName: '  ', version: '2' }, signatureForm)).toBe(
			'Please type your name to sign.'
		);
	});

	it('keep a password exactly as typed', () => {
		expect(parseForm(formOf({ ...account, password: '  ten chars ' }), newAccountForm)).toMatchObject({
			password: '  ten chars '
		});
		expect(refusal({ ...account, password: 'short' }, newAccountForm)).toMatch(/at least 10 characters/);
	});
});

describe('numbers, choices and boxes', () => {
	it('read whole numbers within their range', () => {
		const group = {
			name: 'Thursday circle',
			description: '',
			capacity: '6',
			timeZone: 'Europe/Berlin',
			creatorKind: 'therapist',
			agreementBody: 'We keep it here.'
		};
		expect(parseForm(formOf(group), newGroupForm)).toMatchObject({ capacity: 6, standardProgram: false });
		for (const capacity of ['', '0', '21', '2.5', 'six']) {
			expect(refusal({ ...group, capacity }, newGroupForm), capacity).toBe(
				'Please choose a capacity between 1 and 20 members.'
			);
		}
		expect(refusal({ ...group, timeZone: 'Mars/Base' }, newGroupForm)).toBe(
			'Please choose the time zone the group meets in.'
		);
	});

	it('mute until unmuted when no hours are chosen, and refuse hours out of range', () => {
		expect(parseForm(formOf({ userId: ID, hours: '' }), muteForm)).toEqual({ userId: ID, hours: null });
		expect(parseForm(formOf({ userId: ID, hours: '24' }), muteForm)).toEqual({ userId: ID, hours: 24 });
		expect(refusal({ userId: ID, hours: '-1' }, muteForm)).toBe('Please choose how long to mute them.');
	});

	it('require the box ticked and a reason chosen from the list', () => {
		expect(refusal({ typedName: 'Sam', version: '2' }, signatureForm)).toBe(
			'Please tick the box to confirm you agree.'
		);
		expect(refusal({ postId: ID, reason: 'because' }, hideForm)).toBe('Choose a reason, so the author knows why.');
		expect(parseForm(formOf({ postId: ID, reason: 'privacy' }), redactForm)).toEqual({
			postId: ID,
			reason: 'privacy',
			note: ''
		});
	});

	it('refuse ids Hearth did not make', () => {
		expect(refusal({ postId: '../etc' }, postForm)).toBe('That post could not be found.');
		expect(refusal({ groupId: '', body: 'Help' }, urgentMessageForm)).toBe(
			'Choose the group whose facilitators you want to reach.'
		);
	});

	it('check two fields against each other', () => {
		expect(
			refusal(
				{ currentPassword: 'old', newPassword: 'new one here', confirmPassword: 'new one her' },
				changePasswordForm
			)
		).toBe('The two new passwords did not match.');
	});
});

describe('readTyped', () => {
	it('gives back what was typed, and empty for anything else', () => {
		const form = formOf({ email: ' Sam@X.org ', name: new File(['x'], 'x.txt') });
		expect(readTyped(form, 'email', 'name', 'missing')).toEqual({ email: ' Sam@X.org ', name: '', missing: '' });
	});
});

describe('checkInput', () => {
	it('gives the value or throws the domain’s own error with the message', () => {
		const name = requiredText(5, 'Say it.', 'Shorter, please.');
		expect(checkInput(name, ' Sam ', (message) => new RangeError(message))).toBe('Sam');
		expect(() => checkInput(name, 'Samantha', (message) => new RangeError(message))).toThrow(
			new RangeError('Shorter, please.')
		);
	});
});
