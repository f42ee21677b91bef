import { ApiError } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtTime, h, link, notice, table } from '../dom.js';
import { bucketize, histogram } from '../histogram.js';

interface StoredPolicy { id: string; version: number; document: any; text: string | null; deleted: boolean; at: string; by: string | null }
interface Problem { path: string; line?: number | null; message: string }
interface Backtest {
  alerts_total: number; matches_total: number; records_scanned: number; records_matched: number;
  per_day: Array<{ day: string; matches: number; alerts: number }>; alerts: Array<{ title: string; last_seen: string; actor: { email: string | null } | null }>;
  commands_that_would_be_requested: Array<{ action: string; target: { type: string; id: string; name: string | null } }>; notices: string[];
}

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : String(err));

export async function policiesView(ctx: Ctx): Promise<Node> {
  if (!ctx.can('get', '/v1/policies')) return h('section', {}, h('h1', {}, 'Policies'), notice('Policies need a policy-author key or above.'));
  let items: StoredPolicy[];
  try {
    items = (await ctx.api.get<{ items: StoredPolicy[] }>('/v1/policies')).items;
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Policies'), notice(errorText(err), 'error'));
  }
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, 'Policies'), h('div', { class: 'actions' }, link('/console/policies/new', 'New policy'))),
    table(items, [
      ['policy', (p) => link(`/console/policies/${p.id}`, p.id)],
      ['title', (p) => String(p.document?.title ?? p.document?.name ?? '')],
      ['mode', (p) => (p.deleted ? badge('deleted') : badge(String(p.document?.mode ?? 'alert')))],
      ['version', (p) => String(p.version)],
      ['deployed', (p) => `${fmtTime(p.at)} by ${p.by ?? '—'}`],
    ], { empty: 'No policy deployed through the API yet (built-in and folder policies run too).', rowAttrs: () => ({ class: 'row', tabindex: 0 }) }));
}

/** One policy: its text in an editor with validate, backtest and deploy (by role), and its versions. */
export async function policyView(ctx: Ctx): Promise<Node> {
  const isNew = ctx.params[0] === 'new';
  let current: StoredPolicy | null = null;
  let versions: StoredPolicy[] = [];
  if (!isNew) {
    const id = ctx.params[0]!;
    [current, versions] = await Promise.all([
      ctx.api.get<StoredPolicy>(`/v1/policies/${encodeURIComponent(id)}`),
      ctx.api.get<{ items: StoredPolicy[] }>(`/v1/policies/${encodeURIComponent(id)}/versions`).then((r) => r.items).catch(() => []),
    ]);
  }
  const idInput = h('input', { type: 'text', name: 'id', value: current?.id ?? '', placeholder: 'policy id (lower-case, dashes)', readonly: !isNew, 'aria-label': 'policy id' });
  const text = h('textarea', { name: 'policy', rows: 22, spellcheck: 'false', class: 'mono editor', 'aria-label': 'policy (YAML)' });
  text.value = current ? current.text ?? JSON.stringify(current.document, null, 2) : 'id: my-policy\ntitle: My policy\nseverity: medium\nmode: alert\n';
  const days = h('select', { 'aria-label': 'backtest range' }, [1, 7, 30].map((d) => h('option', { value: d, selected: d === 7 }, `last ${d} days`)));
  const result = h('div', { class: 'result', 'aria-live': 'polite' });

  const validate = async () => {
    try {
      const r = await ctx.api.call<{ valid: boolean; policies: string[]; problems: Problem[] }>('POST', '/v1/policies/validate', { text: text.value });
      result.replaceChildren(r.valid ? notice(`Valid: ${r.policies.join(', ')}`, 'ok') : problems(r.problems));
    } catch (err) {
      result.replaceChildren(notice(errorText(err), 'error'));
    }
  };
  const backtest = async () => {
    const to = Date.now();
    const from = to - Number(days.value) * 86_400_000;
    result.replaceChildren(notice('Backtesting…'));
    try {
      const r = await ctx.api.call<Backtest>('POST', '/v1/policies/backtest', { json: { policy: text.value, from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit_samples: 5, limit_alerts: 50 } });
      const perDay = r.per_day.flatMap((d) => Array.from({ length: d.alerts }, () => Date.parse(d.day)));
      result.replaceChildren(h('div', { class: 'backtest' },
        h('p', {}, h('strong', {}, `${r.alerts_total} alerts`), ` from ${r.matches_total} matches; ${r.records_scanned.toLocaleString()} records scanned, ${r.records_matched.toLocaleString()} matched.`),
        histogram(bucketize(perDay, from, to, 86_400_000), 86_400_000, 'alerts per day'),
        r.notices.map((n) => notice(n)),
        table(r.alerts.slice(0, 20), [['last seen', (a) => fmtTime(a.last_seen)], ['alert', (a) => a.title], ['actor', (a) => a.actor?.email ?? '']], { empty: 'No alert would have been raised.' }),
        r.commands_that_would_be_requested.length > 0 ? h('p', { class: 'small' }, `Commands that would be requested: ${r.commands_that_would_be_requested.slice(0, 10).map((c) => `${c.action} ${c.target.name ?? c.target.id}`).join(', ')}`) : null));
    } catch (err) {
      const body = err instanceof ApiError ? err : null;
      result.replaceChildren(notice(body ? body.message : String(err), 'error'));
    }
  };
  const deploy = async () => {
    const id = idInput.value.trim();
    try {
      const r = await ctx.api.call<{ version?: number; proposal?: unknown; message?: string }>('PUT', `/v1/policies/${encodeURIComponent(id)}`, { text: text.value });
      if (r.proposal) result.replaceChildren(notice(r.message ?? 'Proposed: an admin must approve it.', 'ok'));
      else ctx.go(`/console/policies/${encodeURIComponent(id)}`, { replace: isNew });
    } catch (err) {
      result.replaceChildren(notice(errorText(err), 'error'));
    }
  };
  const canDeploy = ctx.can('put', '/v1/policies/{id}');
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, isNew ? 'New policy' : current!.id, current ? h('span', { class: 'muted' }, ` version ${current.version}`) : null)),
    h('div', { class: 'editor-bar' }, idInput,
      ctx.can('post', '/v1/policies/validate') ? h('button', { type: 'button', onClick: () => void validate() }, 'Validate') : null,
      ctx.can('post', '/v1/policies/backtest') ? [days, h('button', { type: 'button', onClick: () => void backtest() }, 'Backtest')] : null,
      canDeploy ? h('button', { type: 'button', class: 'primary', onClick: () => void deploy() }, 'Deploy') : null),
    text, result,
    versions.length > 0 ? h('section', { class: 'card' }, h('h2', {}, 'Versions'), table([...versions].reverse(), [
      ['version', (v) => String(v.version)], ['at', (v) => fmtTime(v.at)], ['by', (v) => v.by ?? '—'], ['', (v) => (v.deleted ? badge('deleted') : '')],
    ])) : null);
}

function problems(list: Problem[]): HTMLElement {
  return h('div', { class: 'notice notice-error', role: 'alert' }, h('strong', {}, 'Not valid'),
    h('ul', {}, list.map((p) => h('li', {}, `${p.line ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`))));
}
