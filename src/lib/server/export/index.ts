/*
 * Exports: a member's own data ("Export my data") and a group's record for the practice (facilitators).
 * Each is one function that checks the person's password again (recent re-authentication, under the
 * sign-in limits), gathers the data once, records the export in the audit log (no content), and returns
 * it as a JSON file or a printable HTML page: two formats of the same data.
 *
 * The download leaves no trace in a URL: it answers a POST, its file name carries only the date, and
 * neither browsers nor proxies may keep it (`Cache-Control: no-store`).
 */
import { redirect } from '@sveltejs/kit';
import { recordAudit, type AuditRecord } from '../audit';
import { isRefused, parseForm } from '../forms';
import { AccountError, confirmPassword } from '../auth/accounts';
import { describeSignInPause } from '../auth/login-limits';
import { collectGroupRecord } from './group-record';
import { collectMemberExport } from './member-data';
import { renderGroupRecordHtml, renderMemberExportHtml } from './render-html';
import { exportForm, type ExportFormat } from './forms';

export { exportForm, EXPORT_FORMATS, type ExportFormat } from './forms';

export type ExportProblem = 'password' | 'paused';

/** A refusal: a wrong password, or a pause after too many (the sign-in limits). */
export class ExportError extends Error {
	constructor(readonly problem: ExportProblem) {
		super(`Export refused: ${problem}`);
	}
}

/**
 * What the person reads after a refused export. The form posts to an endpoint that answers with a file,
 * so a refusal goes back to the form's page with only this code in its address (`?export=password`).
 */
export function describeExportProblem(problem: string | null): string | null {
	switch (problem) {
		case 'password':
			return 'That password did not match. Nothing was exported; please try again.';
		case 'paused':
			return describeSignInPause();
		case 'form':
			return 'Please enter your password, then choose the file or the printable page.';
		default:
			return null;
	}
}

export type ExportFile = { filename: string; contentType: string; body: string };

/** What every export is asked with: the person's password again, where they are, the format wanted. */
export type ExportRequest = { password: string; address: string; format: ExportFormat; now?: Date };

/** The steps every export takes, in this order: the password, the data, the audit, the file. */
async function runExport<T>(
	request: ExportRequest & { actorId: string },
	steps: {
		collect: (now: Date) => Promise<T>;
		audit: Omit<AuditRecord, 'actorId' | 'detail'>;
		fileName: 'export' | 'group-record';
		toHtml: (data: T) => string;
	}
): Promise<ExportFile> {
	try {
		await confirmPassword({
			userId: request.actorId,
			password: request.password,
			address: request.address,
			via: 'export'
		});
	} catch (e) {
		if (e instanceof AccountError) throw new ExportError(e.paused ? 'paused' : 'password');
		throw e;
	}
	const now = request.now ?? new Date();
	const data = await steps.collect(now);
	await recordAudit({ ...steps.audit, actorId: request.actorId, detail: { format: request.format } });
	// The date alone: a file name is shown and kept in places (downloads lists) that are not private.
	const name = `hearth-${steps.fileName}-${now.toISOString().slice(0, 10)}`;
	return request.format === 'json'
		? { filename: `${name}.json`, contentType: 'application/json; charset=utf-8', body: JSON.stringify(data, null, 2) }
		: { filename: `${name}.html`, contentType: 'text/html; charset=utf-8', body: steps.toHtml(data) };
}

/**
 * Everything the signed-in person wrote, answered, reacted and signed, after their password; audited as
 * `data.exported`. Throws ExportError when the password is wrong or the attempt is paused.
 */
export function exportMyData(input: ExportRequest & { userId: string }): Promise<ExportFile> {
	return runExport(
		{ ...input, actorId: input.userId },
		{
			collect: (now) => collectMemberExport(input.userId, now),
			audit: { action: 'data.exported', objectType: 'user', objectId: input.userId },
			fileName: 'export',
			toHtml: renderMemberExportHtml
		}
	);
}

/**
 * The group's record for the practice, after the facilitator's password; audited as `group.exported`.
 * The caller has checked that `actorId` facilitates the group (`requireFacilitator`). Throws ExportError
 * when the password is wrong or the attempt is paused.
 */
export function exportGroupRecord(input: ExportRequest & { groupId: string; actorId: string }): Promise<ExportFile> {
	return runExport(input, {
		collect: (now) => collectGroupRecord(input.groupId, input.actorId, now),
		audit: { action: 'group.exported', objectType: 'group', objectId: input.groupId, groupId: input.groupId },
		fileName: 'group-record',
		toHtml: renderGroupRecordHtml
	});
}

/**
 * A route's whole export: reads the form, runs `run` with it, and answers with the file; a refusal goes
 * back to the form at `back` (a path) and `anchor` with only its code in the address.
 */
export async function answerExport(
	event: { request: Request; getClientAddress(): string },
	back: { path: string; anchor: string },
	run: (request: ExportRequest) => Promise<ExportFile>
): Promise<Response> {
	function refused(problem: ExportProblem | 'form'): never {
		redirect(303, `${back.path}?export=${problem}#${back.anchor}`);
	}
	const input = parseForm(await event.request.formData(), exportForm);
	if (isRefused(input)) refused('form');
	try {
		return exportResponse(await run({ ...input, address: event.getClientAddress() }));
	} catch (e) {
		if (e instanceof ExportError) refused(e.problem);
		throw e;
	}
}

/**
 * The HTTP answer for an export. The JSON file downloads; the page opens in the tab to be read and
 * printed (or saved) and runs nothing: its CSP allows its own inline styles and nothing else.
 */
export function exportResponse(file: ExportFile): Response {
	const json = file.contentType.startsWith('application/json');
	return new Response(file.body, {
		headers: {
			'Content-Type': file.contentType,
			'Content-Disposition': `${json ? 'attachment' : 'inline'}; filename="${file.filename}"`,
			'Cache-Control': 'no-store',
			'Content-Security-Policy':
				"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
		}
	});
}
