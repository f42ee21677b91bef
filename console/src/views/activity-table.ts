import type { Ctx } from '../context.js';
import { badge, fmtTime, h, link } from '../dom.js';

export interface Activity {
  event_id: string; provider: string; instance: string; occurred_at: string; category: string; action: string; action_raw: string;
  outcome: string; outcome_reason: string | null; severity: string | null;
  actor: { id: string | null; email: string | null; name: string | null; type: string };
  targets: Array<{ type: string; id: string | null; name: string | null }>;
  source: { ip: string | null; country: string | null; city: string | null; user_agent: string | null };
  attributes: Record<string, string>;
}

export function userHref(user: string): string {
  return `/console/users/${encodeURIComponent(user)}`;
}

export function fileHref(provider: string, instance: string, id: string): string {
  return `/console/files/${encodeURIComponent(provider)}/${encodeURIComponent(instance)}/${encodeURIComponent(id)}`;
}

const FILE_TYPES = new Set(['file', 'folder']);

function actorCell(a: Activity): Node | string {
  const who = a.actor.email ?? a.actor.id;
  if (!who) return a.actor.name ?? a.actor.type;
  return link(userHref(who), a.actor.email ?? a.actor.name ?? who);
}

function targetsCell(a: Activity, fileTimeline: boolean): Array<Node | string> {
  return a.targets.slice(0, 3).flatMap((t, i) => {
    const label = t.name ?? t.id ?? t.type;
    const item = fileTimeline && FILE_TYPES.has(t.type) && t.id ? link(fileHref(a.provider, a.instance, t.id), label)
      : t.type === 'user' && (t.name?.includes('@') || t.id) ? link(userHref(t.name?.includes('@') ? t.name : t.id!), label)
      : h('span', {}, label);
    item.setAttribute('title', `${t.type}${t.id ? ` ${t.id}` : ''}`);
    return i === 0 ? [item] : [', ', item];
  }).concat(a.targets.length > 3 ? [` +${a.targets.length - 3}`] : []);
}

/** One table row per activity (and a hidden detail row); j/k and Enter work on the rows. */
export function activityRows(ctx: Ctx, items: Activity[]): HTMLElement[] {
  const fileTimeline = ctx.caps.acceptsQuery('get', '/v1/activities', 'target_id');
  return items.flatMap((a) => {
    const detail = h('tr', { class: 'detail hidden' }, h('td', { colspan: 7 }, h('pre', {}, JSON.stringify(a, null, 2))));
    const row = h('tr', { class: 'row', tabindex: 0, 'data-event': a.event_id },
      h('td', { class: 'nowrap mono' }, fmtTime(a.occurred_at)),
      h('td', {}, h('span', { class: 'app' }, a.provider), h('span', { class: 'muted' }, ` ${a.instance}`)),
      h('td', {}, actorCell(a)),
      h('td', { title: a.action_raw }, h('span', { class: 'action' }, a.action), h('span', { class: 'muted small' }, ` ${a.category}`)),
      h('td', {}, badge(a.outcome), a.outcome_reason ? h('span', { class: 'muted small' }, ` ${a.outcome_reason}`) : null),
      h('td', {}, targetsCell(a, fileTimeline)),
      h('td', { class: 'nowrap' }, a.source.ip ?? '', a.source.country ? h('span', { class: 'muted small' }, ` ${a.source.country}`) : null));
    const toggle = () => detail.classList.toggle('hidden');
    row.addEventListener('click', (e) => { if (!(e.target as Element).closest('a')) toggle(); });
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target === row) {
        e.preventDefault();
        toggle();
      }
    });
    return [row, detail];
  });
}

export function activityTable(ctx: Ctx, items: Activity[]): { table: HTMLElement; body: HTMLElement } {
  const body = h('tbody', {}, activityRows(ctx, items));
  const table = h('table', { class: 'grid activities' },
    h('thead', {}, h('tr', {}, ['time (UTC)', 'app', 'actor', 'action', 'outcome', 'targets', 'source'].map((c) => h('th', { scope: 'col' }, c)))),
    body);
  return { table, body };
}
