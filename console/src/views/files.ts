import { ApiError, type Page } from '../api.js';
import type { Ctx } from '../context.js';
import { badge, h, link, notice, table } from '../dom.js';
import { filterForm, queryFor } from '../filters.js';
import { fileHref } from './activity-table.js';

type FileRecord = Record<string, unknown>;

/** Governance actions a responder may ask for on a file (the connector says at run time whether it can). */
const FILE_ACTIONS = ['remove_public_link', 'remove_external_collaborators', 'make_private', 'quarantine'] as const;
const EXPOSURES = ['public', 'external', 'internal'] as const;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const fileId = (f: FileRecord) => str(f.file_id) ?? str(f.id) ?? str(f.object_id) ?? '';
const count = (v: unknown) => (Array.isArray(v) ? v.length : typeof v === 'number' ? v : 0);
function owner(f: FileRecord): string {
  const o = f.owner as Record<string, unknown> | string | null | undefined;
  if (typeof o === 'string') return o;
  return str(o?.email) ?? str(o?.name) ?? str(f.owner_email) ?? '';
}

/** Files by exposure (public, external, internal) with their sharing, and the actions a responder may ask for. */
export async function filesView(ctx: Ctx): Promise<Node> {
  if (!ctx.caps.has('get', '/v1/files')) {
    return h('section', {}, h('h1', {}, 'Files'), notice('This API does not list files yet (no GET /v1/files). The page fills in once the server offers it.'));
  }
  const params = ctx.caps.queryParams('get', '/v1/files');
  const exposureParam = ['access_level', 'exposure'].find((n) => params.some((p) => p.name === n)) ?? 'access_level';
  const current = ctx.query.get(exposureParam) ?? 'public';
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'exposure' }, EXPOSURES.map((e) => h('a', {
    href: `/console/files?${exposureParam}=${e}`, class: e === current ? 'tab active' : 'tab', 'aria-current': e === current ? 'page' : null,
  }, e)));
  const form = filterForm(params, ctx.query, { primary: ['q', 'name', 'provider', 'instance', 'owner'], skip: ['limit', 'cursor', exposureParam], onSubmit: (v) => ctx.setQuery({ ...v, [exposureParam]: current }) });
  const canAct = ctx.can('post', '/v1/governance');
  const out = h('div', { 'aria-live': 'polite' });
  let page: Page<FileRecord>;
  try {
    page = await ctx.api.get<Page<FileRecord>>('/v1/files', { ...queryFor(params, ctx.query, ['limit', 'cursor']), [exposureParam]: current, limit: 100 });
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Files'), tabs, form, notice(err instanceof ApiError ? err.message : String(err), 'error'));
  }
  const act = async (f: FileRecord, action: string, approval: boolean) => {
    const id = fileId(f);
    try {
      const answer = await ctx.api.call<{ command_id: string }>('POST', '/v1/governance', {
        json: { provider: f.provider, instance: f.instance, action, target: { type: 'file', id, ...(str(f.name) ? { name: str(f.name) } : {}) }, requires_approval: approval },
      });
      out.replaceChildren(notice(`Asked: ${action} on ${str(f.name) ?? id}. `, 'ok'));
      out.firstElementChild!.append(link(`/console/governance/${answer.command_id}`, 'Follow the command'));
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? err.message : String(err), 'error'));
    }
  };
  const actions = (f: FileRecord) => {
    const select = h('select', { 'aria-label': 'action' }, FILE_ACTIONS.map((a) => h('option', { value: a }, a.replace(/_/g, ' '))));
    const approval = h('input', { type: 'checkbox', checked: true, 'aria-label': 'needs approval' });
    return h('span', { class: 'row-actions' }, select, h('label', { class: 'small' }, approval, ' approval'),
      h('button', { type: 'button', onClick: () => void act(f, select.value, approval.checked) }, 'Ask'));
  };
  return h('section', {}, h('h1', {}, 'Files'), tabs, form, out,
    table(page.items, [
      ['file', (f) => link(fileHref(String(f.provider), String(f.instance), fileId(f)), str(f.name) ?? str(f.path) ?? fileId(f))],
      ['app', (f) => `${String(f.provider)} ${String(f.instance)}`],
      ['owner', owner],
      ['exposure', (f) => badge(str(f.access_level) ?? str(f.exposure) ?? 'unknown')],
      ['links', (f) => String(count(f.shared_links ?? f.links))],
      ['collaborators', (f) => String(count(f.collaborators))],
      ['label', (f) => str(f.label) ?? ''],
      ['quarantined', (f) => (f.quarantined === true || str(f.quarantine_state) === 'quarantined' ? badge('quarantined') : '')],
      ...(canAct ? [['actions', actions] as [string, (f: FileRecord) => Node]] : []),
    ], { empty: `No ${current} file.` }));
}
