import * as v from 'valibot';
import { checkbox } from '../forms';

export const calendarNamesForm = v.object({
	showGroupNames: checkbox('Please say whether event titles may name your group.')
});
