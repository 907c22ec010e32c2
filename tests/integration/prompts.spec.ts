// The check-in prompt library: a starter set per group, edited by its facilitators, never shared.
import { afterAll, describe, expect, it } from 'vitest';
import { connection } from '$lib/server/db';
import { GroupRuleError, NotInGroupError } from '$lib/server/groups/errors';
import { STARTER_PROMPTS, addPrompt, listPrompts, removePrompt, updatePrompt } from '$lib/server/prompts';
import { makeGroup } from './groups-fixtures';

afterAll(() => connection.close());

describe('the prompt library', () => {
	it('starts each group with the starter set for arriving, preparation, after a journey and alumni', async () => {
		const { group } = await makeGroup();

		const prompts = await listPrompts(group.id);

		expect(prompts.filter((p) => p.kind === 'arriving').map((p) => p.text)).toEqual(STARTER_PROMPTS.arriving);
		expect(new Set(prompts.map((p) => p.kind))).toEqual(new Set(['arriving', 'preparation', 'post_journey', 'alumni']));
		// Reading again does not copy the starter set twice.
		expect(await listPrompts(group.id)).toEqual(prompts);
	});

	it('lets a group add, reword and remove prompts without touching another group’s library', async () => {
		const { group, facilitator } = await makeGroup();
		const { group: other } = await makeGroup();
		const before = await listPrompts(other.id);

		const id = await addPrompt({
			groupId: group.id,
			actorId: facilitator.id,
			kind: 'alumni',
			text: '  What are you grateful for?  '
		});
		const [first] = await listPrompts(group.id);
		await updatePrompt({
			groupId: group.id,
			actorId: facilitator.id,
			promptId: first.id,
			text: 'How are you, really?'
		});
		const removed = (await listPrompts(group.id)).find((p) => p.kind === 'preparation')!;
		await removePrompt({ groupId: group.id, actorId: facilitator.id, promptId: removed.id });

		const after = await listPrompts(group.id);
		expect(after.filter((p) => p.kind === 'alumni').at(-1)).toEqual({
			id,
			kind: 'alumni',
			text: 'What are you grateful for?'
		});
		expect(after[0].text).toBe('How are you, really?');
		expect(after.some((p) => p.id === removed.id)).toBe(false);
		expect(await listPrompts(other.id)).toEqual(before);
	});

	it('refuses empty, over-long and unknown-kind prompts, and prompts of another group', async () => {
		const { group, facilitator } = await makeGroup();
		const { group: other } = await makeGroup();
		const [theirs] = await listPrompts(other.id);
		const actorId = facilitator.id;

		await expect(addPrompt({ groupId: group.id, actorId, kind: 'arriving', text: '   ' })).rejects.toThrow(
			GroupRuleError
		);
		await expect(addPrompt({ groupId: group.id, actorId, kind: 'arriving', text: 'x'.repeat(501) })).rejects.toThrow(
			GroupRuleError
		);
		await expect(addPrompt({ groupId: group.id, actorId, kind: 'whenever', text: 'Hello?' })).rejects.toThrow(
			GroupRuleError
		);
		await expect(updatePrompt({ groupId: group.id, actorId, promptId: theirs.id, text: 'Mine now' })).rejects.toThrow(
			NotInGroupError
		);
		await expect(removePrompt({ groupId: group.id, actorId, promptId: theirs.id })).rejects.toThrow(NotInGroupError);
		expect((await listPrompts(other.id))[0].text).toBe(theirs.text);
	});

	it('keeps a library emptied on purpose empty', async () => {
		const { group, facilitator } = await makeGroup();
		for (const prompt of await listPrompts(group.id)) {
			await removePrompt({ groupId: group.id, actorId: facilitator.id, promptId: prompt.id });
		}
		expect(await listPrompts(group.id)).toEqual([]);
	});
});
