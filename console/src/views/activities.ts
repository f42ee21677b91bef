import { ApiError, type Page } from '../api.js';
import type { Ctx } from '../context.js';
import { download, h, notice } from '../dom.js';
import { filterForm, queryFor, timeRange } from '../filters.js';
import { bucketWidth, bucketize, histogram, type Bucket } from '../histogram.js';
import { loadHistogram } from '../aggregations.js';
import { activityTable, type Activity } from './activity-table.js';

const PATH = '/v1/activities';
const NOT_FILTERS = ['limit', 'cursor', 'include_raw', 'format'];
const PRIMARY = ['q', 'provider', 'instance', 'user', 'action', 'category', 'outcome', 'ip', 'target_name'];
const PAGE = 100;

/** The activity log: filters (in the URL), a histogram of the matches over time, the rows, CSV export. */
export async function activitiesView(ctx: Ctx): Promise<Node> {
  const params = ctx.caps.queryParams('get', PATH);
  const range = timeRange(ctx.query);
  const filters = { ...queryFor(params, ctx.query, [...NOT_FILTERS, 'from', 'to']), from: range.from, to: range.to };
  const form = filterForm(params, ctx.query, { primary: PRIMARY, skip: NOT_FILTERS, withRange: '24h', onSubmit: (v) => ctx.setQuery(v) });

  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading…');
  const chartSlot = h('div', { class: 'chart-slot' });
  const more = h('button', { type: 'button', class: 'hidden' }, 'Load more');
  const exportButton = h('button', { type: 'button' }, 'Export CSV');
  const list = h('div', {});

  const first = ctx.api.get<Page<Activity>>(PATH, { ...filters, limit: PAGE });
  const apiBuckets = loadHistogram(ctx, filters, range).catch(() => null);
  let page: Page<Activity>;
  try {
    page = await first;
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Activity'), form, notice(err instanceof ApiError ? err.message : String(err), 'error'));
  }
  const loaded: Activity[] = [...page.items];
  const { table, body } = activityTable(ctx, loaded);
  list.append(table);

  const width = bucketWidth(range.toMs - range.fromMs);
  const pick = (from: number, to: number) => ctx.setQuery({ ...queryFor(params, ctx.query, [...NOT_FILTERS, 'from', 'to', 'range']), from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  const drawLocal = () => {
    const b: Bucket[] = bucketize(loaded.map((a) => Date.parse(a.occurred_at)), range.fromMs, range.toMs, width);
    chartSlot.replaceChildren(histogram(b, width, `the ${loaded.length} rows loaded`, pick));
  };
  let fromApi = false;
  void apiBuckets.then((result) => {
    if (!result) return;
    fromApi = true;
    chartSlot.replaceChildren(histogram(result.buckets, result.width, 'all matches', pick));
  });
  if (!fromApi) drawLocal();

  const showStatus = (cursor: string | null | undefined) => {
    status.textContent = loaded.length === 0 ? 'No activity matches these filters in this time range.'
      : `${loaded.length} events${cursor ? ' (more below)' : ''}, newest first.`;
    more.classList.toggle('hidden', !cursor);
  };
  let cursor = page.next_cursor;
  showStatus(cursor);
  more.addEventListener('click', async () => {
    if (!cursor) return;
    more.setAttribute('disabled', '');
    try {
      const next = await ctx.api.get<Page<Activity>>(PATH, { ...filters, limit: PAGE, cursor });
      loaded.push(...next.items);
      const { body: rows } = activityTable(ctx, next.items);
      body.append(...rows.children);
      cursor = next.next_cursor;
      showStatus(cursor);
      if (!fromApi) drawLocal();
    } finally {
      more.removeAttribute('disabled');
    }
  });
  exportButton.addEventListener('click', () => void exportCsv(ctx, filters, exportButton));

  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, 'Activity'), h('div', { class: 'actions' }, exportButton)),
    form, chartSlot, status, list, more);
}

/**
 * CSV of every match: streamed by the API when it offers `format=csv`, else assembled here from the
 * JSON pages (up to 50,000 rows).
 */
async function exportCsv(ctx: Ctx, filters: Record<string, string>, button: HTMLButtonElement): Promise<void> {
  button.setAttribute('disabled', '');
  const label = button.textContent;
  button.textContent = 'Exporting…';
  try {
    const name = `appwarden-activities-${filters.from!.slice(0, 16)}_${filters.to!.slice(0, 16)}.csv`.replace(/:/g, '');
    if (ctx.caps.acceptsQuery('get', PATH, 'format', 'csv')) {
      const res = await ctx.api.request('GET', PATH, { query: { ...filters, format: 'csv' } });
      download(name, await res.blob());
      return;
    }
    const rows: Activity[] = [];
    let cursor: string | null | undefined;
    do {
      const page: Page<Activity> = await ctx.api.get(PATH, { ...filters, limit: 1000, ...(cursor ? { cursor } : {}) });
      rows.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && rows.length < 50_000);
    download(name, new Blob([toCsv(rows)], { type: 'text/csv' }));
  } finally {
    button.removeAttribute('disabled');
    button.textContent = label;
  }
}

const CSV_COLUMNS: Array<[string, (a: Activity) => string | null]> = [
  ['occurred_at', (a) => a.occurred_at], ['provider', (a) => a.provider], ['instance', (a) => a.instance], ['category', (a) => a.category],
  ['action', (a) => a.action], ['action_raw', (a) => a.action_raw], ['outcome', (a) => a.outcome], ['actor_email', (a) => a.actor.email],
  ['actor_id', (a) => a.actor.id], ['actor_name', (a) => a.actor.name], ['ip', (a) => a.source.ip], ['country', (a) => a.source.country],
  ['targets', (a) => a.targets.map((t) => `${t.type}:${t.name ?? t.id ?? ''}`).join('; ')], ['event_id', (a) => a.event_id],
];

export function toCsv(rows: Activity[]): string {
  // A cell starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.
  const cell = (v: string | null) => {
    let s = v ?? '';
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_COLUMNS.map(([n]) => n).join(','), ...rows.map((r) => CSV_COLUMNS.map(([, f]) => cell(f(r))).join(','))].join('\r\n') + '\r\n';
}
