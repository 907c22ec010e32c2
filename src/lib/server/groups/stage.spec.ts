// Small truths on the home screens: a group whose program has begun is not "Forming", and a group past
// its program no longer leads with a program session as "Happening now".
import { describe, expect, it } from 'vitest';
import { describeStage, pickShownSession } from './groups';

const DAY = 24 * 60 * 60 * 1000;
const session = (
	kind: 'preparation' | 'journey' | 'alumni',
	state: 'upcoming' | 'in_progress' | 'done',
	days: number
) => ({
	kind,
	state,
	startsAt: new Date(Date.now() + days * DAY)
});

describe('the stage a group shows', () => {
	it('is "In the program" once a session has begun, whatever the lifecycle still says', () => {
		expect(describeStage('forming', [session('preparation', 'upcoming', 3)])).toBe('Forming');
		expect(describeStage('forming', [session('preparation', 'in_progress', 0)])).toBe('In the program');
		expect(describeStage('forming', [session('journey', 'done', -7), session('journey', 'upcoming', 7)])).toBe(
			'In the program'
		);
		expect(describeStage('alumni', [session('journey', 'done', -90)])).toBe('Alumni');
	});
});

describe('the session the home screens lead with', () => {
	const program = [
		session('journey', 'done', -14),
		session('journey', 'in_progress', 0),
		session('journey', 'upcoming', 7)
	];

	it('is the program’s next one while the program runs', () => {
		expect(pickShownSession('active', program)).toBe(program[1]);
	});

	it('is only an alumni meeting once the group is alumni, and none once archived', () => {
		expect(pickShownSession('alumni', program)).toBeNull();
		const meeting = session('alumni', 'upcoming', 30);
		expect(pickShownSession('alumni', [...program, meeting])).toBe(meeting);
		expect(pickShownSession('archived', [...program, meeting])).toBeNull();
	});
});
