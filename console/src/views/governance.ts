import { ApiError, type Page } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtTime, h, link, notice, table } from '../dom.js';
import { filterForm, queryFor } from '../filters.js';
import { fileHref, userHref } from './activity-table.js';

export interface Command {
  command_id: string; status: string; provider: string; instance: string; action: string;
  target: { type: string; id: string; name: string | null }; params: Record<string, string>;
  policy_id: string | null; alert_id: string | null; requested_by: string; mode: string; requires_approval: boolean;
  created_at: string; updated_at: string; attempt: number; message: string | null; retriable: boolean;
}

function targetLink(c: Command): Node | string {
  const label = c.target.name ?? c.target.id;
  if (c.target.type === 'user') return link(userHref(c.target.name?.includes('@') ? c.target.name : c.target.id), label);
  if (c.target.type === 'file') return link(fileHref(c.provider, c.instance, c.target.id), label);
  return `${c.target.type} ${label}`;
}

/** The command as the executor gets it: action, target, params (what a reader needs to know what will be done). */
export function commandText(c: Command): string {
  const params = Object.entries(c.params).map(([k, v]) => ` ${k}=${v}`).join('');
  return `${c.mode === 'dry_run' ? 'dry run: ' : ''}${c.action} ${c.target.type} ${c.target.name ?? c.target.id} on ${c.provider}.${c.instance}${params}`;
}

export function commandTable(commands: Command[], options: { showCommand?: boolean } = {}): HTMLElement {
  return table(commands, [
    ['created', (c) => h('span', { class: 'nowrap mono' }, fmtTime(c.created_at))],
    ['action', (c) => link(`/console/governance/${c.command_id}`, c.action)],
    ...(options.showCommand ? [['command', (c: Command) => h('code', { class: 'command' }, commandText(c))] as [string, (c: Command) => Node]] : []),
    ['target', (c) => targetLink(c)],
    ['app', (c) => `${c.provider} ${c.instance}`],
    ['status', (c) => badge(c.status)],
    ['asked by', (c) => c.policy_id ? `policy ${c.policy_id}` : c.requested_by],
  ], { empty: 'No governance command matches.', rowAttrs: () => ({ class: 'row', tabindex: 0 }) });
}

export async function governanceView(ctx: Ctx): Promise<Node> {
  const params = ctx.caps.queryParams('get', '/v1/governance');
  const form = filterForm(params, ctx.query, { primary: ['status', 'action', 'target', 'provider', 'policy'], skip: ['limit', 'cursor'], onSubmit: (v) => ctx.setQuery(v) });
  try {
    const page = await ctx.api.get<Page<Command>>('/v1/governance', { ...queryFor(params, ctx.query, ['limit', 'cursor']), limit: 100 });
    return h('section', {}, h('h1', {}, 'Governance log'), form, commandTable(page.items));
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Governance log'), form, notice(err instanceof ApiError ? err.message : String(err), 'error'));
  }
}

/** One command, its history, and approve / retry / revert for responders when its status allows. */
export async function commandView(ctx: Ctx): Promise<Node> {
  const id = ctx.params[0]!;
  const { command: c, history } = await ctx.api.get<{ command: Command; history: Array<{ status: string; attempt: number; at: string; message: string | null }> }>(`/v1/governance/${encodeURIComponent(id)}`);
  const out = h('div', { 'aria-live': 'polite' });
  const act = async (intent: string) => {
    try {
      const answer = await ctx.api.call<{ command_id: string }>('POST', `/v1/governance/${c.command_id}/${intent}`, { json: {} });
      if (intent === 'revert') ctx.go(`/console/governance/${answer.command_id}`);
      else ctx.go(location.pathname, { replace: true });
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? err.message : String(err), 'error'));
    }
  };
  const allowed: Array<[string, string, boolean]> = [
    ['approve', 'Approve', c.status === 'awaiting_approval'],
    ['retry', 'Retry', c.status === 'failed'],
    ['revert', 'Revert', c.status === 'succeeded'],
  ];
  const buttons = allowed.filter(([intent, , ok]) => ok && ctx.can('post', `/v1/governance/{id}/${intent}`))
    .map(([intent, label]) => h('button', { type: 'button', class: 'primary', onClick: () => void act(intent) }, label));
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, c.action, ' ', h('span', { class: 'muted' }, c.target.name ?? c.target.id)), h('div', { class: 'actions' }, badge(c.status), ...buttons)),
    out,
    h('pre', { class: 'command' }, commandText(c)),
    h('dl', { class: 'facts' },
      [['target', targetLink(c)], ['app', `${c.provider} ${c.instance}`], ['mode', c.mode], ['requires approval', c.requires_approval ? 'yes' : 'no'],
        ['asked by', c.requested_by], ['policy', c.policy_id ?? '—'], ['alert', c.alert_id ? link(`/console/alerts/${c.alert_id}`, c.alert_id) : '—'],
        ['attempt', String(c.attempt)], ['message', c.message ?? '—'], ['params', JSON.stringify(c.params)]]
        .flatMap(([k, v]) => [h('dt', {}, k as string), h('dd', {}, v as Node | string)])),
    h('section', { class: 'card' }, h('h2', {}, 'History'), table(history, [
      ['when', (s) => fmtTime(s.at)], ['status', (s) => badge(s.status)], ['attempt', (s) => String(s.attempt)], ['message', (s) => s.message ?? ''],
    ])));
}
