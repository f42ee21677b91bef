import type { Page } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtTime, h, link, notice, table } from '../dom.js';
import { filterForm, timeRange } from '../filters.js';
import { bucketWidth, bucketize, histogram } from '../histogram.js';
import { fileHref, userHref } from './activity-table.js';
import { sharing, type FileRecord } from './files.js';
import type { Alert } from './alerts.js';
import type { Command } from './governance.js';

interface Account {
  provider: string; instance: string; kind: string; observed_at: string; status: string | null; last_login_at: string | null;
  subject: { id: string | null; email: string | null; name: string | null };
  group: { name: string | null } | null; privilege: { name: string | null } | null; app: { name: string | null } | null;
}

const PAGE = 200;

/** An item of `GET /v1/timelines/users/:user` and `/v1/timelines/files/:file_id`: an audit event or a governance step. */
interface Entry {
  at: string; kind: string; id: string; provider: string; instance: string; action: string; action_raw: string | null; outcome: string; role: string;
  actor: { id: string | null; email: string | null; name: string | null }; source_ip: string | null; country: string | null;
  targets: Array<{ type: string; id: string | null; name: string | null }>; message: string | null;
}

function entryRow(e: Entry): HTMLElement {
  const governance = e.kind === 'governance';
  const who = e.actor.email ?? e.actor.id;
  return h('tr', { class: governance ? 'row governance-step' : 'row', tabindex: 0, 'data-kind': e.kind },
    h('td', { class: 'nowrap mono' }, fmtTime(e.at)),
    h('td', {}, h('span', { class: 'app' }, e.provider), h('span', { class: 'muted' }, ` ${e.instance}`)),
    h('td', {}, governance ? h('span', { class: 'muted' }, 'governance') : who ? link(userHref(who), e.actor.email ?? e.actor.name ?? who) : e.actor.name ?? ''),
    h('td', { title: e.action_raw ?? '' }, governance ? link(`/console/governance/${encodeURIComponent(e.id.split('/')[0]!)}`, e.action) : h('span', { class: 'action' }, e.action),
      h('span', { class: 'muted small' }, ` ${e.role === 'actor' ? 'by them' : 'on them'}`)),
    h('td', {}, badge(e.outcome), e.message ? h('span', { class: 'muted small' }, ` ${e.message}`) : null),
    h('td', {}, e.targets.slice(0, 3).map((t, i) => [i ? ', ' : '', t.type === 'user' && (t.name ?? t.id) ? link(userHref(t.name?.includes('@') ? t.name : t.id ?? t.name!), t.name ?? t.id!)
      : (t.type === 'file' || t.type === 'folder') && t.id ? link(fileHref(e.provider, e.instance, t.id), t.name ?? t.id) : (t.name ?? t.id ?? t.type)])),
    h('td', { class: 'nowrap' }, e.source_ip ?? '', e.country ? h('span', { class: 'muted small' }, ` ${e.country}`) : null));
}

/** A timeline of the API (`path`, with `scope` filters) over the range, with its histogram and paging. */
async function timelineSection(ctx: Ctx, path: string, scope: Record<string, string>, what: string): Promise<HTMLElement> {
  const range = timeRange(ctx.query, '7d');
  const query = { ...scope, from: range.from, to: range.to, limit: PAGE };
  const loaded: Entry[] = [];
  const page = await ctx.api.get<Page<Entry>>(path, query);
  loaded.push(...page.items);
  const body = h('tbody', {}, page.items.map(entryRow));
  const t = h('table', { class: 'grid activities' },
    h('thead', {}, h('tr', {}, ['time (UTC)', 'app', 'actor', 'action', 'outcome', 'targets', 'source'].map((c) => h('th', { scope: 'col' }, c)))), body);
  const width = bucketWidth(range.toMs - range.fromMs);
  const chart = h('div', {});
  const draw = () => chart.replaceChildren(histogram(bucketize(loaded.map((e) => Date.parse(e.at)), range.fromMs, range.toMs, width), width, what));
  draw();
  let cursor = page.next_cursor;
  const more = h('button', { type: 'button', class: cursor ? '' : 'hidden' }, 'Load more');
  more.addEventListener('click', async () => {
    if (!cursor) return;
    const next = await ctx.api.get<Page<Entry>>(path, { ...query, cursor });
    loaded.push(...next.items);
    body.append(...next.items.map(entryRow));
    cursor = next.next_cursor;
    more.classList.toggle('hidden', !cursor);
    draw();
  });
  const form = filterForm([], ctx.query, { primary: [], skip: [], withRange: '7d', onSubmit: (v) => ctx.setQuery(v) });
  return h('section', { class: 'timeline' }, h('h2', {}, 'Timeline across apps'), form, chart,
    loaded.length === 0 ? notice('Nothing in this time range.') : t, more);
}

/** One person across apps: accounts in each instance, alerts about them, actions on them, and their activity over time. */
export async function userTimelineView(ctx: Ctx): Promise<Node> {
  const user = ctx.params[0]!;
  const isEmail = user.includes('@');
  const [accounts, alerts, commands, activity] = await Promise.all([
    ctx.api.get<Page<Account>>('/v1/accounts', { ...(isEmail ? { email: user } : { subject_id: user }), limit: 200 }).catch(() => null),
    isEmail ? ctx.api.get<Page<Alert>>('/v1/alerts', { actor: user, limit: 50, from: timeRange(ctx.query, '90d').from }).catch(() => null) : Promise.resolve(null),
    ctx.api.get<Page<Command>>('/v1/governance', { target: user, limit: 50 }).catch(() => null),
    timelineSection(ctx, `/v1/timelines/users/${encodeURIComponent(user)}`, {}, `events by and on ${user}`),
  ]);
  const identities = accounts?.items.filter((a) => a.kind === 'user') ?? [];
  const name = identities.find((a) => a.subject.name)?.subject.name;
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, name ? `${name} ` : '', h('span', { class: 'muted' }, user)),
      h('div', { class: 'actions' }, link(`/console/activities?user=${encodeURIComponent(user)}`, 'Open in the activity log'))),
    h('div', { class: 'cards' },
      h('section', { class: 'card' }, h('h2', {}, 'Accounts'), table(accounts?.items ?? [], [
        ['app', (a) => `${a.provider} ${a.instance}`],
        ['kind', (a) => a.kind],
        ['what', (a) => a.group?.name ?? a.privilege?.name ?? a.app?.name ?? a.subject.name ?? a.subject.id ?? ''],
        ['status', (a) => (a.status ? badge(a.status) : '')],
        ['last logon', (a) => fmtTime(a.last_login_at)],
      ], { empty: 'No account record for this user.' })),
      h('section', { class: 'card' }, h('h2', {}, 'Alerts'), table(alerts?.items ?? [], [
        ['last seen', (a) => fmtTime(a.last_seen)],
        ['alert', (a) => link(`/console/alerts/${a.alert_id}`, a.title)],
        ['severity', (a) => badge(a.severity)],
        ['status', (a) => badge(a.status)],
      ], { empty: isEmail ? 'No alert about this user.' : 'Alerts are found by email.' })),
      h('section', { class: 'card' }, h('h2', {}, 'Governance actions'), table(commands?.items ?? [], [
        ['created', (c) => fmtTime(c.created_at)],
        ['action', (c) => link(`/console/governance/${c.command_id}`, c.action)],
        ['app', (c) => `${c.provider} ${c.instance}`],
        ['status', (c) => badge(c.status)],
      ], { empty: 'No action on this user.' }))),
    activity);
}

/** One file across time: its record (exposure, sharing, label, quarantine) and its timeline (events naming it, governance steps on it). */
export async function fileTimelineView(ctx: Ctx): Promise<Node> {
  const [provider, instance, id] = ctx.params as [string, string, string];
  const [file, commands, activity] = await Promise.all([
    ctx.api.get<Page<FileRecord>>('/v1/files', { provider, instance, file_id: id, limit: 1 }).then((p) => p.items[0] ?? null).catch(() => null),
    ctx.api.get<Page<Command>>('/v1/governance', { target: id, provider, instance, limit: 50 }).catch(() => null),
    timelineSection(ctx, `/v1/timelines/files/${encodeURIComponent(id)}`, { provider, instance }, 'events on this file'),
  ]);
  const fact = (name: string, value: Node | string | null) => [h('dt', {}, name), h('dd', {}, value ?? '—')];
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, file?.name ?? id, ' ', h('span', { class: 'muted' }, `${provider} ${instance}`)),
      file ? h('div', { class: 'actions' }, badge(file.access_level), file.quarantine !== 'none' ? badge(file.quarantine) : null, file.deleted ? badge('deleted') : null) : null),
    h('div', { class: 'cards' },
      file ? h('section', { class: 'card' }, h('h2', {}, 'File'), h('dl', { class: 'facts' },
        fact('path', file.path), fact('owner', file.owner?.email ? link(userHref(file.owner.email), file.owner.email) : file.owner?.name ?? null),
        fact('exposure', file.access_level), fact('shared with', sharing(file)), fact('label', file.label), fact('modified', fmtTime(file.modified_at)),
        fact('id', h('span', { class: 'mono small' }, file.file_id))))
        : h('section', { class: 'card' }, h('h2', {}, 'File'), h('p', { class: 'empty' }, 'No scan has recorded this file.')),
      h('section', { class: 'card' }, h('h2', {}, 'Governance actions'), table(commands?.items ?? [], [
        ['created', (c) => fmtTime(c.created_at)],
        ['action', (c) => link(`/console/governance/${c.command_id}`, c.action)],
        ['status', (c) => badge(c.status)],
        ['by', (c) => c.requested_by],
      ], { empty: 'No action on this file.' }))),
    activity);
}
