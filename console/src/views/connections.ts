import { ApiError } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtAgo, fmtDuration, fmtTime, h, notice, table } from '../dom.js';
import { connectForm, type Provider } from './connect-form.js';

interface Stream {
  stream: string; kind: string; state: string; fetched: number; published: number; deadLettered: number;
  freshnessMs: number | null; lastSuccessAt: string | null; nextRunAt: string | null; lastError: { code: string; message: string } | null;
  lastCompletedScan?: { completedAt: string; records: number | null } | null;
  /** Set while the tenant lacks what the stream reads (state not_available). */
  notAvailable?: { reason: string; since: string };
  /** Change feeds: restarts from the present after the provider refused the cursor (the file scan then ran early). */
  feedRestarts?: { count: number; lastAt: string; parts: string[]; reason: string } | null;
}
/** An item of `GET /v1/connectors`. */
export interface Instance {
  provider: string; instance: string; phase: string; health?: string; problem?: string;
  credentials: { ok: boolean; missing: Array<{ capability: string; reason: string }> } | null;
  streams: Stream[]; http: { requests: number; throttled: number; throttleWaitMs: number } | null;
}
interface TestAnswer { ok: boolean; permissions: string[]; missing: Array<{ capability: string; reason: string }> }

const errorText = (err: unknown) => (err instanceof ApiError ? `${err.message} (${err.code})` : String(err));

/** The API's word (connected, connecting, degraded, error, paused, disconnected), or the phase of an older server. */
export function healthOf(i: Instance): string {
  return i.health ?? i.phase;
}

function streamLine(s: Stream): HTMLElement {
  const scan = s.kind === 'snapshot' && s.lastCompletedScan
    ? ` · last scan ${fmtAgo(s.lastCompletedScan.completedAt)}${s.lastCompletedScan.records !== null ? ` (${s.lastCompletedScan.records.toLocaleString()} records)` : ''}` : '';
  return h('li', {}, badge(s.state), ` ${s.stream} · ${s.published.toLocaleString()} events`,
    s.state === 'running' && s.fetched > 0 ? ` · ${s.fetched.toLocaleString()} read` : '', scan,
    s.freshnessMs !== null ? ` · fresh ${fmtDuration(s.freshnessMs)}` : '',
    s.nextRunAt ? ` · next ${fmtAgo(s.nextRunAt)}` : '',
    s.lastError ? h('span', { class: 'error-text', title: s.lastError.message }, ` · ${s.lastError.code}`) : '',
    s.notAvailable ? h('span', { title: s.notAvailable.reason }, ` · not available for this tenant since ${fmtTime(s.notAvailable.since)}`) : '',
    s.feedRestarts ? h('span', { title: `${s.feedRestarts.parts.join(', ')}: ${s.feedRestarts.reason}` },
      ` · restarted from the present ${s.feedRestarts.count}× (last ${fmtAgo(s.feedRestarts.lastAt)}; the file scan covers the gap)`) : '');
}

/** Connections: each instance's health and streams (refreshed every 2 s), connect, test, scan now, pause, resume, disconnect. */
export async function connectionsView(ctx: Ctx): Promise<Node> {
  const path = (i: Instance, tail = '') => `/v1/connectors/${encodeURIComponent(i.provider)}/${encodeURIComponent(i.instance)}${tail}`;
  const can = {
    test: ctx.can('post', '/v1/connectors/{provider}/{instance}/test'),
    scan: ctx.can('post', '/v1/connectors/{provider}/{instance}/scan'),
    patch: ctx.can('patch', '/v1/connectors/{provider}/{instance}'),
    remove: ctx.can('delete', '/v1/connectors/{provider}/{instance}'),
  };
  const out = h('div', { 'aria-live': 'polite' });
  const list = h('div', {});
  const run = async (what: string, call: () => Promise<string>) => {
    out.replaceChildren(notice(`${what}…`));
    try {
      out.replaceChildren(notice(`${what}: ${await call()}`, 'ok'));
    } catch (err) {
      out.replaceChildren(notice(`${what}: ${errorText(err)}`, 'error'));
    }
    await refresh().catch(() => undefined);
  };
  const test = (i: Instance) => run(`Test ${i.provider}.${i.instance}`, async () => {
    const r = await ctx.api.call<TestAnswer>('POST', path(i, '/test'), { json: {} });
    if (!r.ok) throw new Error('the provider refused the credentials');
    return `credentials accepted${r.permissions.length ? `; permissions: ${r.permissions.join(', ')}` : ''}${r.missing.length ? `; missing: ${r.missing.map((m) => m.reason).join('; ')}` : ''}`;
  });
  const actions = (i: Instance) => {
    const health = healthOf(i);
    const key = `${i.provider}.${i.instance}`;
    if (health === 'disconnected') return h('span', { class: 'muted small' }, 'connect it again below');
    const paused = health === 'paused';
    return h('span', { class: 'row-actions' },
      can.test && !paused ? h('button', { type: 'button', onClick: () => void test(i) }, 'Test') : null,
      can.scan && !paused ? h('button', { type: 'button', onClick: () => void run(`Scan ${key}`, async () => {
        const r = await ctx.api.call<{ kinds: string[] }>('POST', path(i, '/scan'), { json: {} });
        return `${r.kinds.join(' and ')} scan asked for; follow it here`;
      }) }, 'Scan now') : null,
      can.patch ? h('button', { type: 'button', onClick: () => void run(`${paused ? 'Resume' : 'Pause'} ${key}`, async () => {
        await ctx.api.call('PATCH', path(i), { json: { state: paused ? 'active' : 'paused' } });
        return paused ? 'resumed' : 'paused';
      }) }, paused ? 'Resume' : 'Pause') : null,
      can.remove ? h('button', { type: 'button', class: 'danger', onClick: () => {
        if (!confirm(`Disconnect ${key}? It stops on every worker; its data is kept.`)) return;
        void run(`Disconnect ${key}`, async () => {
          await ctx.api.call('DELETE', path(i));
          return 'disconnected (data kept)';
        });
      } }, 'Disconnect') : null);
  };
  const render = (items: Instance[]) => list.replaceChildren(table(items, [
    ['connection', (i) => h('span', {}, h('strong', {}, i.provider), ' ', i.instance)],
    ['status', (i) => [badge(healthOf(i)), i.problem ? h('div', { class: 'small error-text' }, i.problem) : null]],
    ['phase', (i) => i.phase],
    ['streams', (i) => h('ul', { class: 'plain small' }, i.streams.map(streamLine))],
    ['missing permissions', (i) => (i.credentials?.missing ?? []).map((m) => h('div', { class: 'small' }, `${m.capability}: ${m.reason}`))],
    ['throttling', (i) => (i.http ? `${i.http.throttled} waits · ${fmtDuration(i.http.throttleWaitMs)}` : '—')],
    ...(Object.values(can).some(Boolean) ? [['', actions] as [string, (i: Instance) => Node]] : []),
  ], { empty: 'No connection yet.', rowAttrs: (i) => ({ 'data-connection': `${i.provider}.${i.instance}`, 'data-health': healthOf(i), class: 'row', tabindex: 0 }) }));
  const refresh = async () => render((await ctx.api.get<{ items: Instance[] }>('/v1/connectors')).items);

  const providers = ctx.can('get', '/v1/providers')
    ? ctx.api.get<{ items: Provider[] }>('/v1/providers').then((r) => r.items).catch(() => [] as Provider[]) : Promise.resolve([] as Provider[]);
  await refresh();
  const timer = setInterval(() => { if (!document.hidden) void refresh().catch(() => undefined); }, 2000);
  ctx.onLeave(() => clearInterval(timer));

  const connect = ctx.can('post', '/v1/connectors')
    ? h('section', { class: 'card' }, h('h2', {}, 'Connect an app'), connectForm(ctx, await providers, (answer) => {
      out.replaceChildren(notice(`Connected ${answer.provider}.${answer.instance} at ${fmtTime(answer.updated_at)}: it appears above as it starts.`, 'ok'));
      void refresh();
    }))
    : h('p', { class: 'muted small' }, 'Connecting apps needs an admin key.');
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, 'Connections'), h('span', { class: 'muted small' }, 'refreshes every 2 s')),
    out, list, connect);
}
