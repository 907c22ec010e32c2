import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

function capture() {
	const lines: string[] = [];
	const stream = new Writable({
		write(chunk, _encoding, done) {
			lines.push(...String(chunk).split('\n').filter(Boolean));
			done();
		}
	});
	return { log: createLogger(stream), lines };
}

describe('the server log', () => {
	it('writes one JSON line per event, an error as its kind and code without its message', () => {
		const { log, lines } = capture();
		const cause = Object.assign(new Error('duplicate key (email)=(robin@example.org)'), { code: '23505' });
		log.error(
			{ error: new Error('Failed query: params robin@example.org, I feel so alone', { cause }) },
			'storing a post failed'
		);
		expect(lines).toHaveLength(1);
		const event = JSON.parse(lines[0]);
		expect(event).toMatchObject({
			level: 'error',
			msg: 'storing a post failed',
			error: { kind: 'Error', code: '23505' }
		});
		expect(lines[0]).not.toMatch(/robin|alone|duplicate/);
	});

	it('censors fields that could carry personal data, at the top and one level down', () => {
		const { log, lines } = capture();
		log.warn(
			{ email: 'sam@example.org', detail: { body: 'what Sam wrote', token: 'abc' }, groupId: 'g1' },
			'something odd'
		);
		expect(lines[0]).not.toMatch(/sam@example|what Sam wrote|abc/);
		expect(JSON.parse(lines[0])).toMatchObject({ groupId: 'g1', email: '[redacted]' });
	});
});
