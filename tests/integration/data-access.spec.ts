import { describe, expect, it } from 'vitest';
import { careDocumentName, parseDocumentName } from '$lib/board/document-names';
import { recordAudit } from '$lib/server/audit';
import { db } from '$lib/server/db';
import { auditEvent } from '$lib/server/db/schema';
import { listDataAccess } from '$lib/server/audit/data-access';
import { recordDocumentOpened } from '$lib/server/audit/document-views';
import { joinGroup, makeGroup, personal } from './groups-fixtures';

describe("a member's list of who looked at their data", () => {
	it("shows their facilitator opening their care thread and exporting the group's record, and nothing else", async () => {
		const { group, facilitator } = await makeGroup();
		const juniper = await joinGroup(group.id, facilitator.id);
		const other = await joinGroup(group.id, facilitator.id);
		const elsewhere = await makeGroup();

		const careOf = (memberId: string) => parseDocumentName(careDocumentName(group.id, memberId))!;
		await recordDocumentOpened(facilitator.id, careOf(juniper.id));
		// Not about Juniper: another member's thread, her own opening of hers, her own export, another group's record.
		await recordDocumentOpened(facilitator.id, careOf(other.id));
		await recordDocumentOpened(juniper.id, careOf(juniper.id));
		await recordAudit({ action: 'data.exported', actorId: juniper.id, objectType: 'user', objectId: juniper.id });
		await recordAudit({
			action: 'group.exported',
			actorId: elsewhere.facilitator.id,
			objectType: 'group',
			objectId: elsewhere.group.id,
			groupId: elsewhere.group.id
		});
		await recordAudit({
			action: 'group.exported',
			actorId: facilitator.id,
			objectType: 'group',
			objectId: group.id,
			groupId: group.id
		});

		const looks = await listDataAccess(juniper.id);
		expect(looks.map(({ who, what, group }) => ({ who, what, group }))).toEqual([
			{
				who: personal.staffName,
				what: "exported the group's record, which holds what you shared with the group",
				group: personal.groupName
			},
			{
				who: personal.staffName,
				what: 'opened your private messages with your facilitators',
				group: personal.groupName
			}
		]);
		// The other member sees only what concerns them.
		expect((await listDataAccess(other.id)).map((look) => look.what)).toEqual([
			"exported the group's record, which holds what you shared with the group",
			'opened your private messages with your facilitators'
		]);
		expect(JSON.stringify(looks)).not.toContain(other.id);
	});

	it('shows a run of the same look (a thread open on two devices, a reload) once, with how many times', async () => {
		const { group, facilitator } = await makeGroup();
		const juniper = await joinGroup(group.id, facilitator.id);
		const opened = (minutesAgo: number) =>
			db.insert(auditEvent).values({
				actorId: facilitator.id,
				action: 'care.viewed',
				objectType: 'user',
				objectId: juniper.id,
				groupId: group.id,
				at: new Date(Date.now() - minutesAgo * 60_000)
			});
		await opened(180);
		await opened(25);
		await opened(10);
		await opened(2);

		const looks = await listDataAccess(juniper.id);
		expect(looks.map(({ times, since }) => ({ times, repeated: since !== null }))).toEqual([
			{ times: 3, repeated: true },
			{ times: 1, repeated: false }
		]);
	});
});
