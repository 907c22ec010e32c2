import * as v from 'valibot';
import { describeBodyProblem } from '$lib/board/posts';
import { id, withoutProblem } from '../forms';
import { parseCrisisLines } from './crisis-lines';

export const urgentMessageForm = v.object({
	groupId: id('Choose the group whose facilitators you want to reach.'),
	body: v.pipe(v.string('Write something first.'), withoutProblem(describeBodyProblem))
});

export const crisisLinesForm = v.object({
	lines: v.pipe(
		v.string('Please write the crisis lines as text, one a line.'),
		v.rawTransform(({ dataset, addIssue, NEVER }) => {
			const lines = parseCrisisLines(dataset.value);
			if (typeof lines === 'string') {
				addIssue({ message: lines });
				return NEVER;
			}
			return lines;
		})
	)
});
