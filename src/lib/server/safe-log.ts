/**
 * What may be logged about an error. Messages are left out on purpose: database errors carry query
 * parameters (emails, names, post text) in theirs. The error's kind, its code and where it was thrown
 * are enough to find the fault.
 */
export function describeErrorForLog(error: unknown): { kind: string; code?: string; at: string[] } {
	if (!(error instanceof Error)) return { kind: typeof error, at: [] };
	const cause = error.cause as { code?: unknown } | undefined;
	const code = (error as { code?: unknown }).code ?? cause?.code;
	const at = (error.stack ?? '')
		.split('\n')
		.filter((line) => line.trimStart().startsWith('at '))
		.slice(0, 6)
		.map((line) => line.trim());
	return { kind: error.constructor.name, ...(typeof code === 'string' ? { code } : {}), at };
}
