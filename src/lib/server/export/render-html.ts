/*
 * The printable page of an export: a whole HTML document, made from the same data as the JSON file, to
 * read in the browser and print or save as PDF. Everything a person typed goes through `escapeHtml` (the
 * `html` tag escapes every value it is given); the page carries no script, and the response's CSP
 * (index.ts) would refuse one anyway.
 */
import type { CareEntry, ExportedPost, GroupRecord, MemberExport, RecordPost, RoundAnswerEntry } from './shape';

class Html {
	constructor(readonly value: string) {}
	toString(): string {
		return this.value;
	}
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

type Part = Html | string | number | null | undefined | false | Part[];

function flatten(part: Part): string {
	if (part === null || part === undefined || part === false) return '';
	if (Array.isArray(part)) return part.map(flatten).join('');
	if (part instanceof Html) return part.value;
	return escapeHtml(String(part));
}

/** A template whose every interpolated value is escaped, unless it is itself `html`. */
function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
	return new Html(strings.reduce((out, string, i) => out + string + (i < parts.length ? flatten(parts[i]) : ''), ''));
}

function when(isoTime: string | null, timeZone: string): Html | string {
	if (!isoTime) return '';
	const shown = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
		new Date(isoTime)
	);
	return html`<time datetime="${isoTime}">${shown}</time>`;
}

const KIND_LABELS: Record<string, string> = {
	post: 'Post',
	insight: 'Insight',
	intention: 'Intention',
	checkin: 'Check-in',
	note: 'Private note',
	urgent: 'Urgent message'
};

const PLACE_LABELS: Record<string, string> = {
	board: 'Group board',
	archive: 'Group board (archived)',
	care: 'Your line to the facilitators',
	journal: 'Journal'
};

const STYLE = `
:root { color-scheme: light; }
body { font: 16px/1.6 Georgia, 'Times New Roman', serif; color: #2b2724; background: #fbf8f3; margin: 0; }
main { max-width: 44rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 2rem; font-weight: normal; margin: 0 0 .25rem; }
h2 { font-size: 1.4rem; font-weight: normal; margin: 2.5rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid #d9d0c4; }
h3 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
p.lede, .meta { color: #5e564e; }
.meta { font-size: .875rem; margin: 0 0 .25rem; }
article { margin: 0 0 1rem; padding: .75rem 1rem; background: #fff; border: 1px solid #e6ded3; border-radius: .75rem; break-inside: avoid; }
article p.body { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dt { color: #5e564e; } dd { margin: 0; overflow-wrap: anywhere; }
ul.plain { padding-left: 1.25rem; }
.empty { color: #5e564e; font-style: italic; }
div.reply { margin-left: 1.5rem; }
blockquote { margin: .5rem 0; padding-left: .75rem; border-left: 3px solid #d9d0c4; white-space: pre-wrap; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  article { border: none; border-left: 2px solid #ccc; border-radius: 0; padding: .25rem 0 .25rem .75rem; }
  .screen-only { display: none; }
  h2 { break-after: avoid; } h3 { break-after: avoid; }
  @page { margin: 18mm; }
}
`;

function page(title: string, body: Html): string {
	return html`<!doctype html>
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<meta name="robots" content="noindex" />
				<title>${title}</title>
				<style>
					${new Html(STYLE)}
				</style>
			</head>
			<body>
				<main>${body}</main>
			</body>
		</html> `.value;
}

function postMeta(post: Pick<ExportedPost, 'kind' | 'createdAt' | 'editedAt' | 'session' | 'replyTo'>, zone: string) {
	return html`<p class="meta">
		${post.replyTo ? 'Reply' : KIND_LABELS[post.kind]} ·
		${when(post.createdAt, zone)}${
			post.session ? html` · ${post.session.label}` : ''
		}${post.editedAt ? html` · edited ${when(post.editedAt, zone)}` : ''}
	</p>`;
}

function renderPost(post: ExportedPost, zone: string): Html {
	return html`<article>
		${postMeta(post, zone)}${post.hiddenByFacilitator ? html`<p class="meta">Hidden from the group by a facilitator for now.</p>` : ''}
		${post.prompt ? html`<p class="meta">${post.prompt}</p>` : ''}
		<p class="body">${post.body}</p>
	</article>`;
}

function renderCareEntry(entry: CareEntry, zone: string): Html {
	return html`<article>
		<p class="meta"><strong>${entry.byYou ? 'You' : entry.authorName}</strong></p>
		${postMeta(entry, zone)}${entry.prompt ? html`<p class="meta">${entry.prompt}</p>` : ''}
		<p class="body">${entry.body}</p>
	</article>`;
}

function renderAnswer(entry: RoundAnswerEntry, zone: string): Html {
	const { answer } = entry;
	return html`<article>
		<p class="meta">
			Check-in round · ${when(entry.openedAt, zone)}${entry.session ? html` · ${entry.session.label}` : ''}
		</p>
		${entry.prompt ? html`<blockquote>${entry.prompt}</blockquote>` : html`<p class="meta">A round another member opened.</p>`}
		${
			answer.passed
				? html`<p class="body">You passed.</p>`
				: html`${
						answer.scale !== null && entry.scale
							? html`<p class="body">
									${entry.scale.label ?? 'Scale'}: ${answer.scale} (${entry.scale.min}–${entry.scale.max})
								</p>`
							: ''
					}${answer.feelings.length ? html`<p class="body">Feelings: ${answer.feelings.join(', ')}</p>` : ''}${
						answer.body ? html`<p class="body">${answer.body}</p>` : ''
					}`
		}
	</article>`;
}

function list<T>(items: T[], render: (item: T) => Html, empty: string): Html {
	return items.length ? html`${items.map(render)}` : html`<p class="empty">${empty}</p>`;
}

const UTC = 'UTC';

/** The member's export as a printable page. */
export function renderMemberExportHtml(data: MemberExport): string {
	const { account } = data;
	const reactionWord = (kind: string) => (kind === 'metoo' ? '“Me too”' : '“Holding you”');
	return page(
		'Your data from Hearth',
		html`<h1>Your data from Hearth</h1>
			<p class="lede">
				Everything you wrote, answered and signed in Hearth, as of ${when(data.exportedAt, UTC)}. Times are in UTC.
				Other people’s words on the board are theirs, so they are not here, except your facilitators’ replies in your
				own line to them.
			</p>
			<p class="lede screen-only">
				To keep it as a PDF, use your browser’s Print and choose “Save as PDF”. Keep it somewhere private.
			</p>

			<h2>Your account</h2>
			<dl>
				<dt>Name</dt>
				<dd>${account.displayName}</dd>
				<dt>Email</dt>
				<dd>${account.email}</dd>
				<dt>Account</dt>
				<dd>${account.role === 'member' ? 'Member' : account.role === 'staff' ? 'Staff' : 'Practice admin'}</dd>
				<dt>Created</dt>
				<dd>${when(account.createdAt, UTC)}</dd>
			</dl>

			<h2>Your journal</h2>
			${list(data.journal, (post) => renderPost(post, UTC), 'Your journal is empty.')}
			${data.groups.map(
				(group) =>
					html`<h2>${group.name}</h2>
						<p class="meta">
							${group.role === 'facilitator' ? 'Facilitator' : 'Member'} · joined
							${when(group.joinedAt, UTC)}${
								group.endedAt
									? html` · ${group.status === 'removed' ? 'removed' : 'left'} ${when(group.endedAt, UTC)}`
									: ''
							}
						</p>

						<h3>Agreements you signed</h3>
						${list(
							group.signatures,
							(signature) =>
								html`<article>
									<p class="meta">
										Version ${signature.agreementVersion} · signed “${signature.typedName}” ·
										${when(signature.signedAt, UTC)}
									</p>
									<blockquote>${signature.agreementText}</blockquote>
								</article>`,
							'No signatures.'
						)}

						<h3>Your posts and replies</h3>
						${list(group.posts, (post) => renderPost(post, UTC), 'You have not posted on this board.')}

						<h3>Your check-in answers</h3>
						${list(group.roundAnswers, (entry) => renderAnswer(entry, UTC), 'No check-in answers.')}

						<h3>Reactions you gave</h3>
						${
							group.reactions.length
								? html`<ul class="plain">
										${group.reactions.map(
											(reaction) =>
												html`<li>
													${reactionWord(reaction.kind)} · ${when(reaction.at, UTC)} · ${PLACE_LABELS[reaction.place]}
												</li>`
										)}
									</ul>`
								: html`<p class="empty">No reactions.</p>`
						}
						${
							group.careThread
								? html`<h3>Your line to the facilitators</h3>
										${list(group.careThread.entries, (entry) => renderCareEntry(entry, UTC), 'Nothing here.')}
										${group.careThread.notices.map(
											(notice) =>
												html`<p class="meta">
													A facilitator ${notice.kind} one of your posts ·
													${when(notice.at, UTC)}${notice.reason ? html` · “${notice.reason}”` : ''}
												</p>`
										)}`
								: ''
						}`
			)}`
	);
}

function renderRecordPost(post: RecordPost, zone: string): Html {
	return html`<article>
		${
			post.removed
				? html`<p class="meta">
						${post.replyTo ? 'Reply' : KIND_LABELS[post.kind]} · ${when(post.createdAt, zone)} ·
						${
							post.removed.how === 'hidden'
								? 'hidden by a facilitator'
								: post.removed.how === 'facilitator'
									? 'removed by a facilitator'
									: post.removed.how === 'departed'
										? 'a former member’s words, removed when their account was deleted'
										: 'deleted by its author'
						}
						${when(post.removed.at, zone)}
					</p>`
				: html`<p class="meta"><strong>${post.authorName}</strong></p>
						${postMeta(post, zone)}${post.prompt ? html`<p class="meta">${post.prompt}</p>` : ''}
						<p class="body">${post.body}</p>`
		}
	</article>`;
}

/** A group's record as a printable page, times in the group's zone. */
export function renderGroupRecordHtml(data: GroupRecord): string {
	const zone = data.group.timeZone;
	const roots = data.posts.filter((post) => !post.replyTo);
	const replies = (id: string) => data.posts.filter((post) => post.replyTo === id);
	const rootIds = new Set(roots.map((post) => post.id));
	const orphans = data.posts.filter((post) => post.replyTo && !rootIds.has(post.replyTo));
	return page(
		`${data.group.name}: the group’s record`,
		html`<h1>${data.group.name}</h1>
			<p class="lede">
				The group’s record, exported by ${data.exportedBy.displayName} on ${when(data.exportedAt, zone)}. Times are in
				${zone.replaceAll('_', ' ')}. Confidential: this holds what members shared with their circle.
			</p>

			<h2>The group</h2>
			<dl>
				<dt>Stage</dt>
				<dd>${data.group.lifecycle}</dd>
				<dt>Formed</dt>
				<dd>${when(data.group.createdAt, zone)}</dd>
				<dt>Places</dt>
				<dd>${data.group.capacity}</dd>
				${
					data.group.description
						? html`<dt>About</dt>
								<dd>${data.group.description}</dd>`
						: ''
				}
			</dl>

			<h2>People</h2>
			<ul class="plain">
				${data.members.map(
					(member) =>
						html`<li>
							<strong>${member.displayName}</strong> · ${member.role === 'facilitator' ? 'facilitator' : 'member'} ·
							joined
							${when(
								member.joinedAt,
								zone
							)}${member.endedAt ? html` · ${member.status} ${when(member.endedAt, zone)}` : ''}
						</li>`
				)}
			</ul>

			<h2>Sessions</h2>
			${
				data.sessions.length
					? html`<ul class="plain">
							${data.sessions.map(
								(session) =>
									html`<li>${session.label} · ${when(session.startsAt, zone)} · ${session.state.replace('_', ' ')}</li>`
							)}
						</ul>`
					: html`<p class="empty">No sessions.</p>`
			}

			<h2>Agreements and signatures</h2>
			${data.agreements.map(
				(agreement) =>
					html`<h3>Version ${agreement.version} (${agreement.kind}) · ${when(agreement.publishedAt, zone)}</h3>
						<blockquote>${agreement.text}</blockquote>
						<ul class="plain">
							${data.signatures
								.filter((signature) => signature.agreementVersion === agreement.version)
								.map(
									(signature) =>
										html`<li>
											${signature.displayName} signed “${signature.typedName}” · ${when(signature.signedAt, zone)}
										</li>`
								)}
						</ul>`
			)}

			<h2>The board</h2>
			${list(
				roots,
				(post) =>
					html`${renderRecordPost(post, zone)}${replies(post.id).map(
						(reply) => html`<div class="reply">${renderRecordPost(reply, zone)}</div>`
					)}`,
				'Nothing was posted on the board.'
			)}
			${orphans.map((post) => renderRecordPost(post, zone))}`
	);
}
