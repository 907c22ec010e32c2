/** Reads a text field from a submitted form; anything that is not a string counts as empty. */
export function readText(form: FormData, name: string): string {
	const value = form.get(name);
	return typeof value === 'string' ? value : '';
}
