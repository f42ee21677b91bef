import { ApiError, type Page } from '../api.js';
import type { Ctx } from '../context.js';
import { download, h, notice } from '../dom.js';
import { filterForm, queryFor, timeRange } from '../filters.js';
import { histogram } from '../histogram.js';
import { loadHistogram } from '../aggregations.js';
import { activityTable, type Activity } from './activity-table.js';

const PATH = '/v1/activities';
const NOT_FILTERS = ['limit', 'cursor', 'include_raw', 'format'];
const PRIMARY = ['words', 'q', 'provider', 'instance', 'user', 'action', 'category', 'outcome', 'ip', 'target_name'];
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
  const histogramOf = loadHistogram(ctx, filters, range);
  histogramOf.catch(() => undefined); // shown below, once the rows are in
  let page: Page<Activity>;
  try {
    page = await first;
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Activity'), form, notice(err instanceof ApiError ? err.message : String(err), 'error'));
  }
  const loaded: Activity[] = [...page.items];
  const { table, body } = activityTable(ctx, loaded);
  list.append(table);

  const pick = (from: number, to: number) => ctx.setQuery({ ...queryFor(params, ctx.query, [...NOT_FILTERS, 'from', 'to', 'range']), from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  void histogramOf.then((r) => chartSlot.replaceChildren(histogram(r.buckets, r.width, 'all matches', pick)),
    (err: unknown) => chartSlot.replaceChildren(notice(`The histogram could not be drawn: ${err instanceof ApiError ? err.message : String(err)}`, 'error')));

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
    } finally {
      more.removeAttribute('disabled');
    }
  });
  const exportStatus = h('span', { class: 'export-status', 'aria-live': 'polite' });
  exportButton.addEventListener('click', () => void exportCsv(ctx, filters, exportButton, exportStatus));

  return h('section', {},
    h('header', { class: 'page-head' }, h('h1', {}, 'Activity'), h('div', { class: 'actions' }, exportStatus, exportButton)),
    form, chartSlot, status, list, more);
}

/**
 * CSV of every match, streamed by the API (`format=csv`, block by block in constant server memory): read
 * here as it arrives, with the rows so far shown and a second click cancelling, then saved as a file.
 */
let exporting: AbortController | null = null;
async function exportCsv(ctx: Ctx, filters: Record<string, string>, button: HTMLButtonElement, status: HTMLElement): Promise<void> {
  if (exporting) {
    exporting.abort();
    return;
  }
  const controller = new AbortController();
  exporting = controller;
  const label = button.textContent;
  button.textContent = 'Cancel export';
  status.textContent = 'Exporting…';
  try {
    const res = await ctx.api.request('GET', PATH, { query: { ...filters, format: 'csv' }, signal: controller.signal });
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      for (const byte of value) if (byte === 10) lines++;
      status.textContent = `${Math.max(0, lines - 1).toLocaleString()} rows…`;
    }
    const name = `appwarden-activities-${filters.from!.slice(0, 16)}_${filters.to!.slice(0, 16)}.csv`.replace(/:/g, '');
    download(name, new Blob(chunks as BlobPart[], { type: 'text/csv' }));
    status.textContent = `${Math.max(0, lines - 1).toLocaleString()} rows exported`;
  } catch (err) {
    status.textContent = controller.signal.aborted ? 'Export cancelled' : `Export failed: ${err instanceof ApiError ? err.message : String(err)}`;
  } finally {
    exporting = null;
    button.textContent = label;
  }
}
