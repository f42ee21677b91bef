import { ApiError, type Page } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, fmtTime, h, link, notice, table } from '../dom.js';
import { filterForm, queryFor } from '../filters.js';
import { fileHref, userHref } from './activity-table.js';
import type { Provider } from './connect-form.js';

/** An item of `GET /v1/files`. */
export interface FileRecord {
  provider: string; instance: string; file_id: string; name: string; path: string | null; modified_at: string | null;
  owner: { id: string | null; email: string | null; name: string | null } | null; access_level: string;
  collaborators: Array<{ type: string; id: string | null; email: string | null; role: string }>;
  shared_links: Array<{ audience: string; id: string | null; role: string }>;
  label: string | null; url: string | null; quarantine: string; deleted: boolean;
}

/** Governance verbs that act on a file, offered where the file's connector can carry them out (`GET /v1/providers`). */
const FILE_VERBS = ['remove_public_link', 'remove_external_collaborators', 'make_private', 'quarantine'];
const EXPOSURES = ['public', 'external', 'internal'] as const;
const NOT_FILTERS = ['limit', 'cursor', 'access_level'];
const PAGE = 100;

/** Who a file is shared with: its links (anyone, the organisation) and its collaborators with their roles. */
export function sharing(f: FileRecord): HTMLElement {
  const people = f.collaborators.filter((c) => !f.shared_links.some((l) => l.audience === c.type && l.id === c.id));
  return h('ul', { class: 'plain small sharing' },
    f.shared_links.map((l) => h('li', {}, badge(l.audience === 'anyone' ? 'public' : 'internal', l.audience === 'anyone' ? 'public' : 'internal'), ` link: ${l.audience === 'anyone' ? 'anyone' : 'the organisation'} · ${l.role}`)),
    people.slice(0, 5).map((c) => h('li', {}, c.email ? link(userHref(c.email), c.email) : `${c.type} ${c.id ?? ''}`, h('span', { class: 'muted' }, ` ${c.role}`))),
    people.length > 5 ? h('li', { class: 'muted' }, `+${people.length - 5} more`) : null);
}

/** Files by exposure (public, external, internal) with their sharing, and the actions a responder may ask for. */
export async function filesView(ctx: Ctx): Promise<Node> {
  const params = ctx.caps.queryParams('get', '/v1/files');
  const current = ctx.query.get('access_level') ?? 'public';
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'exposure' }, EXPOSURES.map((e) => h('a', {
    href: `/console/files?access_level=${e}`, class: e === current ? 'tab active' : 'tab', 'aria-current': e === current ? 'page' : null,
  }, e)));
  const form = filterForm(params, ctx.query, { primary: ['name', 'provider', 'instance', 'owner', 'collaborator'], skip: NOT_FILTERS, onSubmit: (v) => ctx.setQuery({ ...v, access_level: current }) });
  const query = { ...queryFor(params, ctx.query, NOT_FILTERS), access_level: current, limit: PAGE };
  const canAct = ctx.can('post', '/v1/governance');
  const out = h('div', { 'aria-live': 'polite' });
  let page: Page<FileRecord>;
  let providers: Provider[];
  try {
    [page, providers] = await Promise.all([
      ctx.api.get<Page<FileRecord>>('/v1/files', query),
      canAct && ctx.can('get', '/v1/providers') ? ctx.api.get<{ items: Provider[] }>('/v1/providers').then((r) => r.items) : Promise.resolve([]),
    ]);
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Files'), tabs, form, notice(err instanceof ApiError ? err.message : String(err), 'error'));
  }
  const verbsOf = new Map(providers.map((p) => [p.provider, FILE_VERBS.filter((v) => p.actions.includes(v))]));
  const act = async (f: FileRecord, action: string, approval: boolean) => {
    try {
      const answer = await ctx.api.call<{ command_id: string }>('POST', '/v1/governance', {
        json: { provider: f.provider, instance: f.instance, action, target: { type: 'file', id: f.file_id, name: f.name }, requires_approval: approval },
      });
      out.replaceChildren(h('div', { class: 'notice notice-ok', role: 'status' }, `Asked: ${action} on ${f.name}. `, link(`/console/governance/${answer.command_id}`, 'Follow the command')));
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? err.message : String(err), 'error'));
    }
  };
  const actions = (f: FileRecord) => {
    const verbs = verbsOf.get(f.provider) ?? [];
    if (verbs.length === 0) return h('span', { class: 'muted small' }, 'no file action for this app');
    const select = h('select', { 'aria-label': `action on ${f.name}` }, verbs.map((a) => h('option', { value: a }, a.replace(/_/g, ' '))));
    const approval = h('input', { type: 'checkbox', checked: true, 'aria-label': 'needs approval' });
    return h('span', { class: 'row-actions' }, select, h('label', { class: 'small' }, approval, ' approval'),
      h('button', { type: 'button', onClick: () => void act(f, select.value, approval.checked) }, 'Ask'));
  };
  const columns: Array<[string, (f: FileRecord) => Node | string | Array<Node | string>]> = [
    ['file', (f) => [link(fileHref(f.provider, f.instance, f.file_id), f.name), f.path && f.path !== `/${f.name}` ? h('div', { class: 'muted small' }, f.path) : '']],
    ['app', (f) => `${f.provider} ${f.instance}`],
    ['owner', (f) => (f.owner?.email ? link(userHref(f.owner.email), f.owner.email) : f.owner?.name ?? f.owner?.id ?? '')],
    ['exposure', (f) => badge(f.access_level)],
    ['shared with', sharing],
    ['label', (f) => f.label ?? ''],
    ['quarantine', (f) => (f.quarantine === 'none' ? '' : badge(f.quarantine))],
    ['modified', (f) => h('span', { class: 'nowrap mono small' }, fmtTime(f.modified_at))],
    ...(canAct ? [['actions', actions] as [string, (f: FileRecord) => Node]] : []),
  ];
  const body = h('div', {}, table(page.items, columns, { empty: `No ${current} file.`, rowAttrs: (f) => ({ class: 'row', tabindex: 0, 'data-file': f.file_id }) }));
  let cursor = page.next_cursor;
  const more = h('button', { type: 'button', class: cursor ? '' : 'hidden' }, 'Load more');
  more.addEventListener('click', async () => {
    if (!cursor) return;
    const next = await ctx.api.get<Page<FileRecord>>('/v1/files', { ...query, cursor });
    body.querySelector('tbody')?.append(...(table(next.items, columns, { rowAttrs: (f) => ({ class: 'row', tabindex: 0, 'data-file': f.file_id }) }).querySelector('tbody')?.children ?? []));
    cursor = next.next_cursor;
    more.classList.toggle('hidden', !cursor);
  });
  return h('section', {}, h('h1', {}, 'Files'), tabs, form, out, body, more);
}
