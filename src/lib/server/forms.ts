// Input checks at the boundary: every form action reads its FormData through one schema (valibot), and a
// domain command that takes the same values checks them with the same schema, so each rule is written once.
// Schemas live with their domain area (`auth/forms.ts`, `groups/forms.ts`, …) and give every step a message
// for the person: valibot's own messages are for developers and must never reach a page.
import { error, fail, isActionFailure, type ActionFailure } from '@sveltejs/kit';
import * as v from 'valibot';
import { isId } from '$lib/board/document-names';

/** A form's fields (`v.object`), possibly with checks across them (`v.pipe(v.object(…), v.check(…))`). */
type FormSchema = v.GenericSchema & { entries: v.ObjectEntries };

/**
 * Reads `form` through `schema`: the typed value, or a 400 with the first problem's message (and `data`,
 * such as the action's name or what to put back into the form), to return as it is (see `isRefused`). A field that was not sent counts as empty;
 * a file, or a field sent twice, reaches the schema as it is, so its text check refuses it.
 */
export function parseForm<S extends FormSchema, D extends Record<string, unknown> = Record<never, never>>(
	form: FormData,
	schema: S,
	data: D = {} as D
): v.InferOutput<S> | ActionFailure<D & { message: string }> {
	const values = Object.fromEntries(
		Object.keys(schema.entries).map((name) => {
			const sent = form.getAll(name);
			return [name, sent.length === 0 ? '' : sent.length === 1 ? sent[0] : sent];
		})
	);
	const result = v.safeParse(schema, values, { abortEarly: true });
	if (!result.success) return fail(400, { ...data, message: result.issues[0].message });
	return result.output;
}

/** Whether `parseForm` refused the form; narrows to its typed value when not. */
export function isRefused<T>(parsed: T): parsed is Extract<T, ActionFailure<unknown>> {
	return isActionFailure(parsed);
}

/**
 * Runs a domain command for a form action: an error written for the person (`shown`) becomes a 400 with
 * its message; one about something they may not know exists (`hidden`) becomes the same 404 as an id that
 * does not exist. Anything else is a server error.
 */
export async function runCommand<T>(
	action: string,
	command: () => Promise<T>,
	errors: { shown: (e: unknown) => e is Error; hidden?: (e: unknown) => boolean }
): Promise<T | ActionFailure<{ action: string; message: string }>> {
	try {
		return await command();
	} catch (e) {
		if (errors.hidden?.(e)) error(404, 'Not found');
		if (errors.shown(e)) return fail(400, { action, message: e.message });
		throw e;
	}
}

/** Checks a domain command's input with the schema its form uses; throws `toError(message)` for the person. */
export function checkInput<S extends v.GenericSchema>(
	schema: S,
	value: unknown,
	toError: (message: string) => Error
): v.InferOutput<S> {
	const result = v.safeParse(schema, value, { abortEarly: true });
	if (!result.success) throw toError(result.issues[0].message);
	return result.output;
}

/** What a person typed into `names`, to put back into a refused form (anything but text becomes empty). */
export function readTyped<N extends string>(form: FormData, ...names: N[]): Record<N, string> {
	return Object.fromEntries(
		names.map((name) => {
			const value = form.get(name);
			return [name, typeof value === 'string' ? value : ''];
		})
	) as Record<N, string>;
}

/** Text, trimmed, that must not be empty (`missing`) nor longer than `max` characters (`tooLong`). */
export function requiredText(max: number, missing: string, tooLong: string) {
	return v.pipe(v.string(missing), v.trim(), v.nonEmpty(missing), v.maxLength(max, tooLong));
}

/** Text, trimmed, that may be empty but not longer than `max` characters. */
export function optionalText(max: number, tooLong: string) {
	return v.pipe(v.string(tooLong), v.trim(), v.maxLength(max, tooLong));
}

/** A ticked checkbox (browsers send `on`); anything else is refused with `message`. */
export function ticked(message: string) {
	return v.literal('on', message);
}

/** A checkbox read as a yes or no. */
export function checkbox(message: string) {
	return v.pipe(
		v.string(message),
		v.transform((value) => value === 'on')
	);
}

/** One of `options`, else `message`. */
export function choice<const T extends readonly string[]>(options: T, message: string) {
	return v.picklist(options, message);
}

/** An id Hearth made (120 random bits in base32), else `message`. */
export function id(message: string) {
	return v.pipe(
		v.string(message),
		v.check((value: string) => isId(value), message)
	);
}

/** Refuses text that `describeProblem` has a message for (a rule also run in the browser). */
export function withoutProblem(describeProblem: (value: string) => string | null) {
	return v.rawCheck<string>(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const problem = describeProblem(dataset.value);
		if (problem) addIssue({ message: problem });
	});
}

/** A whole number from `min` to `max`, from a form's text or a number. */
export function wholeNumber(min: number, max: number, message: string) {
	return v.pipe(
		v.union([v.string(message), v.number(message)], message),
		v.transform((value) => (typeof value === 'string' && value.trim() === '' ? Number.NaN : Number(value))),
		v.integer(message),
		v.minValue(min, message),
		v.maxValue(max, message)
	);
}
