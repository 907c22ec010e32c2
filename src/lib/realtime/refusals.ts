/**
 * What to tell a person when the server refused something they wrote, from the reason it gave
 * (./protocol.ts). Policy reasons are written for people already; the rest are not.
 */
export function describeRefusal(reason: string): string {
	if (reason.startsWith('policy: ')) return `${reason.slice('policy: '.length)}.`;
	switch (reason) {
		case 'read-only':
			return 'You can read the board, but posting is paused for you right now.';
		case 'too-big':
			return 'That was too large to send.';
		case 'full':
			return 'This space has grown as large as Hearth allows, so nothing more can be added. Please let your practice know.';
		default:
			return 'Something went wrong sending that.';
	}
}
