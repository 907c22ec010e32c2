const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'long' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "just now", "5 minutes ago", "yesterday", then the date: how long ago something was said. */
export function describeWhen(at: number, now: number): string {
	const seconds = Math.round((at - now) / 1000);
	if (Math.abs(seconds) < 45) return 'just now';
	const minutes = Math.round(seconds / 60);
	if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
	const hours = Math.round(minutes / 60);
	if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
	const days = Math.round(hours / 24);
	if (Math.abs(days) < 7) return relative.format(days, 'day');
	return dateTime.format(at);
}

export function describeExactly(at: number): string {
	return dateTime.format(at);
}
