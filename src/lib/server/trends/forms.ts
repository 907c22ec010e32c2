import * as v from 'valibot';
import { choice } from '../forms';

/** A member's choice about their intention: show it to this group's facilitators, or stop. */
export const intentionForm = v.object({
	show: choice(['yes', 'no'], 'Please choose whether to show your intention.')
});
