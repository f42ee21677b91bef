import { ApiError, fillPath } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtAgo, fmtDuration, h, notice, table } from '../dom.js';

interface Stream {
  stream: string; kind: string; state: string; fetched: number; published: number; deadLettered: number;
  freshnessMs: number | null; lastSuccessAt: string | null; nextRunAt: string | null; lastError: { code: string; message: string } | null;
  progress?: { done?: number; total?: number | null } | null;
}
interface Instance {
  provider: string; instance: string; phase: string; status?: string; state?: string; paused?: boolean;
  credentials: { ok: boolean; missing: Array<{ capability: string; reason: string }> } | null;
  streams: Stream[]; http: { requests: number; throttled: number; throttleWaitMs: number } | null;
}

/** connected, degraded (missing permissions), error, disconnected or paused: the API's word when it gives one, else from the phase. */
export function connectionStatus(i: Instance): string {
  if (typeof i.status === 'string') return i.status;
  if (i.paused || i.state === 'paused') return 'paused';
  if (i.state === 'disconnected') return 'disconnected';
  if (i.phase === 'error' || i.streams.some((s) => s.state === 'error')) return 'error';
  if (i.phase === 'stopped') return 'disconnected';
  if (i.phase === 'running') return (i.credentials?.missing.length ?? 0) > 0 ? 'degraded' : 'connected';
  return i.phase;
}

/** A skeleton of a JSON body from its schema: required properties with a placeholder each, for the connect form. */
function skeleton(schema: any): unknown {
  if (!schema || typeof schema !== 'object') return '';
  if (schema.anyOf) return skeleton(schema.anyOf[0]);
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.type === 'object') {
    const out: Record<string, unknown> = {};
    for (const name of schema.required ?? Object.keys(schema.properties ?? {}).slice(0, 4)) out[name] = skeleton(schema.properties?.[name]);
    return out;
  }
  if (schema.type === 'integer' || schema.type === 'number') return 0;
  if (schema.type === 'boolean') return false;
  if (schema.type === 'array') return [];
  return schema.description ? `<${String(schema.description).slice(0, 40)}>` : '';
}

export async function connectionsView(ctx: Ctx): Promise<Node> {
  const ops = {
    create: ctx.can('post', '/v1/connectors') ? '/v1/connectors' : null,
    test: ctx.caps.find('post', /^\/v1\/connectors\/.+\/test$/),
    scan: ctx.caps.find('post', /^\/v1\/connectors\/.+\/scan$/),
    patch: ctx.caps.find('patch', /^\/v1\/connectors\/\{[^}]+\}(\/\{[^}]+\})?$/),
    remove: ctx.caps.find('delete', /^\/v1\/connectors\/\{[^}]+\}(\/\{[^}]+\})?$/),
  };
  const allowed = (method: string, path: string | null) => (path && ctx.can(method, path) ? path : null);
  const test = allowed('post', ops.test), scan = allowed('post', ops.scan), patch = allowed('patch', ops.patch), remove = allowed('delete', ops.remove);
  const out = h('div', { 'aria-live': 'polite' });
  const list = h('div', {});
  const pathOf = (path: string, i: Instance) => fillPath(path, { provider: i.provider, instance: i.instance, id: `${i.provider}.${i.instance}`, name: i.instance });
  const run = async (what: string, call: () => Promise<unknown>) => {
    try {
      const answer = await call();
      out.replaceChildren(notice(`${what}: done${answer && typeof answer === 'object' ? ` — ${summary(answer)}` : ''}`, 'ok'));
      await refresh();
    } catch (err) {
      out.replaceChildren(notice(`${what}: ${err instanceof ApiError ? err.message : String(err)}`, 'error'));
    }
  };
  const pauseBody = (pause: boolean): Record<string, unknown> => {
    const props = ((ctx.caps.bodySchema('patch', patch!) as any)?.properties ?? {}) as Record<string, any>;
    if ('paused' in props) return { paused: pause };
    if ('enabled' in props) return { enabled: !pause };
    return { [('state' in props) ? 'state' : 'status']: pause ? 'paused' : 'active' };
  };
  const actions = (i: Instance) => {
    const status = connectionStatus(i);
    const key = `${i.provider}.${i.instance}`;
    return h('span', { class: 'row-actions' },
      test ? h('button', { type: 'button', onClick: () => void run(`test ${key}`, () => ctx.api.call('POST', pathOf(test, i), { json: {} })) }, 'Test') : null,
      scan ? h('button', { type: 'button', onClick: () => void run(`scan ${key}`, () => ctx.api.call('POST', pathOf(scan, i), { json: {} })) }, 'Scan now') : null,
      patch ? h('button', { type: 'button', onClick: () => void run(`${status === 'paused' ? 'resume' : 'pause'} ${key}`, () => ctx.api.call('PATCH', pathOf(patch, i), { json: pauseBody(status !== 'paused') })) },
        status === 'paused' ? 'Resume' : 'Pause') : null,
      remove ? h('button', { type: 'button', class: 'danger', onClick: () => {
        if (confirm(`Disconnect ${key}? Its data is kept.`)) void run(`disconnect ${key}`, () => ctx.api.call('DELETE', pathOf(remove, i)));
      } }, 'Disconnect') : null);
  };
  const render = (items: Instance[]) => list.replaceChildren(table(items, [
    ['connection', (i) => h('span', {}, h('strong', {}, i.provider), ' ', i.instance)],
    ['status', (i) => badge(connectionStatus(i))],
    ['phase', (i) => i.phase],
    ['streams', (i) => h('ul', { class: 'plain small' }, i.streams.map((s) => h('li', {},
      badge(s.state), ` ${s.stream} · ${s.published.toLocaleString()} events`,
      s.progress?.total ? ` · ${s.progress.done ?? 0}/${s.progress.total}` : '',
      s.freshnessMs !== null ? ` · fresh ${fmtDuration(s.freshnessMs)}` : '',
      s.nextRunAt ? ` · next ${fmtAgo(s.nextRunAt)}` : '',
      s.lastError ? h('span', { class: 'error-text' }, ` · ${s.lastError.code}`) : '')))],
    ['missing permissions', (i) => (i.credentials?.missing ?? []).map((m) => h('div', { class: 'small' }, `${m.capability}: ${m.reason}`))],
    ['throttling', (i) => (i.http ? `${i.http.throttled} waits · ${fmtDuration(i.http.throttleWaitMs)}` : '—')],
    ...(test || scan || patch || remove ? [['', actions] as [string, (i: Instance) => Node]] : []),
  ], { empty: 'No connection yet.', rowAttrs: (i) => ({ 'data-connection': `${i.provider}.${i.instance}`, class: 'row', tabindex: 0 }) }));
  const refresh = async () => render((await ctx.api.get<{ items: Instance[] }>('/v1/connectors')).items);
  await refresh();
  const timer = setInterval(() => { if (!document.hidden) void refresh().catch(() => undefined); }, 2000);
  ctx.onLeave(() => clearInterval(timer));

  let connect: HTMLElement | null = null;
  if (ops.create) {
    const body = h('textarea', { name: 'body', rows: 10, spellcheck: 'false', class: 'mono', 'aria-label': 'connection (JSON)' });
    body.value = JSON.stringify(skeleton(ctx.caps.bodySchema('post', ops.create)), null, 2);
    const form = h('form', { class: 'connect' }, body, h('div', {}, h('button', { type: 'submit', class: 'primary' }, 'Connect')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      let json: unknown;
      try {
        json = JSON.parse(body.value);
      } catch {
        out.replaceChildren(notice('The connection is not valid JSON.', 'error'));
        return;
      }
      void run('connect', () => ctx.api.call('POST', ops.create!, { json }));
    });
    connect = h('details', { class: 'card', open: true }, h('summary', {}, 'Connect an app'),
      h('p', { class: 'muted small' }, 'Credentials may be a reference to a secret in the environment or a file; secrets given here are kept encrypted and never shown again.'), form);
  }
  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, 'Connections'), h('span', { class: 'muted small' }, 'refreshes every 2 s')),
    out, list, connect ?? h('p', { class: 'muted small' }, ctx.caps.has('post', '/v1/connectors') ? 'Connecting apps needs an admin key.' : 'This API does not manage connections at run time yet: they come from its configuration.'));
}

function summary(answer: object): string {
  const text = JSON.stringify(answer);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
