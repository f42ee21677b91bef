import { ApiError, type Page } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtTime, h, link, notice, table } from '../dom.js';
import { filterForm, queryFor, timeRange } from '../filters.js';
import { commandTable, type Command } from './governance.js';
import { userHref } from './activity-table.js';

export interface Alert {
  alert_id: string; policy_id: string; policy_version: number; title: string; severity: string; status: string;
  status_note: string | null; status_changed_at: string | null; status_changed_by: string | null;
  created_at: string; first_seen: string; last_seen: string; count: number; provider: string | null; instance: string | null;
  actor: { id: string | null; email: string | null; name: string | null } | null; event_ids: string[]; attributes: Record<string, string>;
  status_history?: Array<{ status: string; note: string | null; changed_at: string; changed_by: string }>;
}

const NOT_FILTERS = ['limit', 'cursor'];

export async function alertsView(ctx: Ctx): Promise<Node> {
  const params = ctx.caps.queryParams('get', '/v1/alerts');
  const range = timeRange(ctx.query, '30d');
  const form = filterForm(params, ctx.query, { primary: ['status', 'severity', 'policy_id', 'provider', 'actor'], skip: NOT_FILTERS, withRange: '30d', onSubmit: (v) => ctx.setQuery(v) });
  const query = { ...queryFor(params, ctx.query, [...NOT_FILTERS, 'from', 'to']), from: range.from, to: range.to, limit: 100 };
  let page: Page<Alert>;
  try {
    page = await ctx.api.get<Page<Alert>>('/v1/alerts', query);
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Alerts'), form, notice(err instanceof ApiError ? err.message : String(err), 'error'));
  }
  return h('section', {}, h('h1', {}, 'Alerts'), form,
    table(page.items, [
      ['last seen', (a) => h('span', { class: 'nowrap mono' }, fmtTime(a.last_seen))],
      ['alert', (a) => link(`/console/alerts/${a.alert_id}`, a.title)],
      ['severity', (a) => badge(a.severity)],
      ['status', (a) => badge(a.status)],
      ['actor', (a) => (a.actor?.email ? link(userHref(a.actor.email), a.actor.email) : a.actor?.name ?? '')],
      ['app', (a) => [a.provider, a.instance].filter(Boolean).join(' ')],
      ['count', (a) => String(a.count)],
    ], { empty: 'No alert matches.', rowAttrs: () => ({ class: 'row', tabindex: 0 }) }),
    page.next_cursor ? h('p', { class: 'muted' }, 'Showing the 100 most recently seen; narrow the filters for older ones.') : null);
}

/** One alert: what it is, its history, its status (responders change it) and the governance commands it led to. */
export async function alertView(ctx: Ctx): Promise<Node> {
  const id = ctx.params[0]!;
  const alert = await ctx.api.get<Alert>(`/v1/alerts/${encodeURIComponent(id)}`);
  const byAlert = ctx.caps.acceptsQuery('get', '/v1/governance', 'alert_id');
  const commands = await ctx.api.get<Page<Command>>('/v1/governance', byAlert ? { alert_id: id, limit: 100 } : { policy: alert.policy_id, limit: 1000 })
    .then((p) => p.items.filter((c) => c.alert_id === id)).catch(() => [] as Command[]);
  const eventLink = ctx.caps.acceptsQuery('get', '/v1/activities', 'event_id');

  const statusForm = ctx.can('patch', '/v1/alerts/{id}') ? statusChanger(ctx, alert) : null;
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, alert.title), h('div', { class: 'actions' }, badge(alert.severity), ' ', badge(alert.status))),
    h('dl', { class: 'facts' },
      fact('policy', `${alert.policy_id} (version ${alert.policy_version})`),
      fact('actor', alert.actor?.email ? link(userHref(alert.actor.email), alert.actor.email) : alert.actor?.name ?? '—'),
      fact('app', [alert.provider, alert.instance].filter(Boolean).join(' ') || '—'),
      fact('first seen', fmtTime(alert.first_seen)), fact('last seen', fmtTime(alert.last_seen)), fact('count', String(alert.count)),
      Object.entries(alert.attributes).map(([k, v]) => fact(k, v))),
    h('section', { class: 'card' }, h('h2', {}, 'Governance'),
      commands.length > 0 ? commandTable(commands, { showCommand: true }) : h('p', { class: 'empty' }, 'This alert asked for no governance action.')),
    h('section', { class: 'card' }, h('h2', {}, 'Status'), statusForm,
      table(alert.status_history ?? [], [
        ['when', (s) => fmtTime(s.changed_at)], ['status', (s) => badge(s.status)], ['by', (s) => s.changed_by], ['note', (s) => s.note ?? ''],
      ], { empty: 'No status change yet.' })),
    h('section', { class: 'card' }, h('h2', {}, `Events (${alert.event_ids.length})`),
      h('ul', { class: 'plain' }, alert.event_ids.slice(0, 50).map((e) => h('li', { class: 'mono' },
        eventLink ? link(`/console/activities?event_id=${encodeURIComponent(e)}&range=90d`, e) : e)))));
}

function fact(name: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, name), h('dd', {}, value)];
}

function statusChanger(ctx: Ctx, alert: Alert): HTMLElement {
  const note = h('input', { type: 'text', name: 'note', placeholder: 'note for the next analyst (optional)', 'aria-label': 'note' });
  const out = h('div', { 'aria-live': 'polite' });
  const set = async (status: string) => {
    try {
      await ctx.api.call('PATCH', `/v1/alerts/${alert.alert_id}`, { json: { status, ...(note.value.trim() ? { note: note.value.trim() } : {}) } });
      ctx.go(location.pathname + location.search, { replace: true });
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? err.message : String(err), 'error'));
    }
  };
  return h('div', { class: 'status-form' }, note,
    ['open', 'resolved', 'dismissed'].filter((s) => s !== alert.status).map((s) => h('button', { type: 'button', onClick: () => void set(s) }, s === 'open' ? 'Reopen' : s === 'resolved' ? 'Resolve' : 'Dismiss')),
    out);
}
