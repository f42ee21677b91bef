import type { Page } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtTime, h, link, notice, table } from '../dom.js';
import { filterForm, timeRange } from '../filters.js';
import { bucketWidth, bucketize, histogram } from '../histogram.js';
import { activityTable, type Activity } from './activity-table.js';
import type { Alert } from './alerts.js';
import type { Command } from './governance.js';

interface Account {
  provider: string; instance: string; kind: string; observed_at: string; status: string | null; last_login_at: string | null;
  subject: { id: string | null; email: string | null; name: string | null };
  group: { name: string | null } | null; privilege: { name: string | null } | null; app: { name: string | null } | null;
}

const PAGE = 200;

/** Activities of one filter over the range, with their histogram and paging. */
async function timelineSection(ctx: Ctx, filter: Record<string, string>, what: string): Promise<HTMLElement> {
  const range = timeRange(ctx.query, '7d');
  const query = { ...filter, from: range.from, to: range.to, limit: PAGE };
  const loaded: Activity[] = [];
  const page = await ctx.api.get<Page<Activity>>('/v1/activities', query);
  loaded.push(...page.items);
  const { table: t, body } = activityTable(ctx, loaded);
  const width = bucketWidth(range.toMs - range.fromMs);
  const chart = h('div', {});
  const draw = () => chart.replaceChildren(histogram(bucketize(loaded.map((a) => Date.parse(a.occurred_at)), range.fromMs, range.toMs, width), width, what));
  draw();
  let cursor = page.next_cursor;
  const more = h('button', { type: 'button', class: cursor ? '' : 'hidden' }, 'Load more');
  more.addEventListener('click', async () => {
    if (!cursor) return;
    const next = await ctx.api.get<Page<Activity>>('/v1/activities', { ...query, cursor });
    loaded.push(...next.items);
    body.append(...activityTable(ctx, next.items).body.children);
    cursor = next.next_cursor;
    more.classList.toggle('hidden', !cursor);
    draw();
  });
  const form = filterForm([], ctx.query, { primary: [], skip: [], withRange: '7d', onSubmit: (v) => ctx.setQuery(v) });
  return h('section', { class: 'timeline' }, h('h2', {}, 'Activity across apps'), form, chart,
    loaded.length === 0 ? notice('No activity in this time range.') : t, more);
}

/** One person across apps: accounts in each instance, alerts about them, actions on them, and their activity over time. */
export async function userTimelineView(ctx: Ctx): Promise<Node> {
  const user = ctx.params[0]!;
  const isEmail = user.includes('@');
  const [accounts, alerts, commands, activity] = await Promise.all([
    ctx.api.get<Page<Account>>('/v1/accounts', { ...(isEmail ? { email: user } : { subject_id: user }), limit: 200 }).catch(() => null),
    isEmail ? ctx.api.get<Page<Alert>>('/v1/alerts', { actor: user, limit: 50, from: timeRange(ctx.query, '90d').from }).catch(() => null) : Promise.resolve(null),
    ctx.api.get<Page<Command>>('/v1/governance', { target: user, limit: 50 }).catch(() => null),
    timelineSection(ctx, { user }, `activity of ${user}`),
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

/** One file across time: its record (sharing, exposure) when the API has files, and every activity that names it. */
export async function fileTimelineView(ctx: Ctx): Promise<Node> {
  const [provider, instance, id] = ctx.params as [string, string, string];
  const hasFiles = ctx.caps.has('get', '/v1/files');
  const filterable = ctx.caps.acceptsQuery('get', '/v1/activities', 'target_id');
  const [file, commands, activity] = await Promise.all([
    hasFiles ? ctx.api.get<Page<Record<string, unknown>>>('/v1/files', { provider, instance, ...fileIdQuery(ctx), limit: 1 }).then((p) => p.items[0] ?? null).catch(() => null) : Promise.resolve(null),
    ctx.api.get<Page<Command>>('/v1/governance', { target: id, provider, instance, limit: 50 }).catch(() => null),
    filterable ? timelineSection(ctx, { provider, instance, target_id: id }, 'activity on this file')
      : Promise.resolve(notice('This API cannot filter activities by target yet (no target_id filter), so the file’s activity cannot be listed.')),
  ]);
  function fileIdQuery(c: Ctx): Record<string, string> {
    const names = c.caps.queryParams('get', '/v1/files').map((p) => p.name);
    const key = ['file_id', 'id', 'object_id'].find((n) => names.includes(n));
    return key ? { [key]: id } : {};
  }
  const title = file ? String(file.name ?? file.path ?? id) : id;
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, title, ' ', h('span', { class: 'muted' }, `${provider} ${instance}`))),
    h('div', { class: 'cards' },
      file ? h('section', { class: 'card' }, h('h2', {}, 'File'), h('pre', {}, JSON.stringify(file, null, 2))) : null,
      h('section', { class: 'card' }, h('h2', {}, 'Governance actions'), table(commands?.items ?? [], [
        ['created', (c) => fmtTime(c.created_at)],
        ['action', (c) => link(`/console/governance/${c.command_id}`, c.action)],
        ['status', (c) => badge(c.status)],
        ['by', (c) => c.requested_by],
      ], { empty: 'No action on this file.' }))),
    activity);
}
