import * as v from 'valibot';
import { programSessionKinds, programSessionStates } from '../db/schema';
import { choice, id, wholeNumber } from '../forms';
import { RELOAD } from '../groups/forms';

export const intervalDays = wholeNumber(1, 60, 'Please choose between 1 and 60 days between sessions.');

/** A date and a time as the form sends them; whether they name an instant depends on the group's zone. */
const INVALID_TIME = 'Please give the session a valid date and time.';
const dateAndTime = { date: v.string(INVALID_TIME), time: v.string(INVALID_TIME) };

export const sessionKind = choice(programSessionKinds, 'Please choose what kind of session this is.');
export const sessionState = choice(programSessionStates, 'Please choose the session state.');

export const addSessionForm = v.object({ kind: sessionKind, ...dateAndTime });
export const updateSessionForm = v.object({ sessionId: id(RELOAD), state: sessionState, ...dateAndTime });
export const removeSessionForm = v.object({ sessionId: id(RELOAD) });
