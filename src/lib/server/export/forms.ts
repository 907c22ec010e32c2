import * as v from 'valibot';
import { choice } from '../forms';

export const EXPORT_FORMATS = ['json', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An export's form: the person's current password (re-authentication) and the format they want. */
export const exportForm = v.object({
	password: v.pipe(v.string('Please enter your password.'), v.nonEmpty('Please enter your password.')),
	format: choice(EXPORT_FORMATS, 'Please choose a file or a printable page.')
});
