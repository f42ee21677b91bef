import type { Param } from './api.js';
import { h } from './dom.js';

/** Time ranges offered; a relative one is kept as such in the URL (`range=24h`), so a link shows the last day when opened. */
export const RANGES: Record<string, number> = { '15m': 900_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 };

export interface TimeRange {
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
}

/** The range of the URL: `from`/`to` (ISO) when given, else `range` (default `fallback`) back from now. */
export function timeRange(query: URLSearchParams, fallback = '24h'): TimeRange {
  const to = query.get('to') ? Date.parse(query.get('to')!) : Date.now();
  const span = RANGES[query.get('range') ?? fallback] ?? RANGES[fallback]!;
  const from = query.get('from') ? Date.parse(query.get('from')!) : to - span;
  const toMs = Number.isFinite(to) ? to : Date.now();
  const fromMs = Number.isFinite(from) ? from : toMs - span;
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), fromMs, toMs };
}

function control(param: Param, value: string): HTMLElement {
  const id = `f-${param.name}`;
  if (param.enum || param.type === 'boolean') {
    const values = param.enum ?? ['true', 'false'];
    return h('select', { id, name: param.name }, h('option', { value: '' }, 'any'), values.map((v) => h('option', { value: v, selected: v === value }, v)));
  }
  return h('input', { id, name: param.name, type: 'text', value, placeholder: param.description.slice(0, 60), autocomplete: 'off', spellcheck: 'false' });
}

const LABELS: Record<string, string> = { q: 'text', action_raw: 'raw action', actor_type: 'actor type', target_type: 'target type', target_id: 'target id', target_name: 'target', policy_id: 'policy' };

export interface FilterFormOptions {
  /** Shown at once; the others under "More filters". */
  primary: readonly string[];
  /** Parameters the form never shows (paging, format...). */
  skip: readonly string[];
  onSubmit(values: Record<string, string | undefined>): void;
  /** With a time range selector (`range`, `from`, `to` in the URL). */
  withRange?: string;
}

/**
 * A filter form for an operation's query parameters as the API document lists them: a parameter added to
 * the API is a filter here. Enter applies; the values go to the URL, so the link can be shared.
 */
export function filterForm(params: Param[], query: URLSearchParams, options: FilterFormOptions): HTMLFormElement {
  const shown = params.filter((p) => !options.skip.includes(p.name) && p.name !== 'from' && p.name !== 'to');
  const primary = shown.filter((p) => options.primary.includes(p.name)).sort((a, b) => options.primary.indexOf(a.name) - options.primary.indexOf(b.name));
  const more = shown.filter((p) => !options.primary.includes(p.name));
  const cell = (p: Param) => h('label', { class: 'filter', title: p.description }, h('span', { class: 'label' }, LABELS[p.name] ?? p.name.replace(/_/g, ' ')), control(p, query.get(p.name) ?? ''));
  const range = options.withRange ? rangeControl(query, options.withRange) : null;
  const form = h('form', { class: 'filters', 'data-filter': true, role: 'search' },
    h('div', { class: 'filter-row' }, primary.map(cell), range,
      h('div', { class: 'filter-buttons' },
        h('button', { type: 'submit', class: 'primary' }, 'Apply'),
        h('button', { type: 'button', onClick: () => options.onSubmit({}) }, 'Clear'))),
    more.length > 0 ? h('details', { class: 'more-filters', open: more.some((p) => query.get(p.name)) }, h('summary', {}, `More filters (${more.length})`),
      h('div', { class: 'filter-row' }, more.map(cell))) : null);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values: Record<string, string | undefined> = {};
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim() !== '') values[k] = v.trim();
    if (values.range !== 'custom') {
      delete values.from;
      delete values.to;
    } else {
      delete values.range;
      for (const k of ['from', 'to']) if (values[k]) values[k] = new Date(`${values[k]}Z`).toISOString();
    }
    options.onSubmit(values);
  });
  return form;
}

function rangeControl(query: URLSearchParams, fallback: string): HTMLElement {
  const custom = query.has('from') || query.has('to');
  const current = custom ? 'custom' : query.get('range') ?? fallback;
  const r = timeRange(query, fallback);
  const local = (iso: string) => iso.slice(0, 16);
  const from = h('input', { type: 'datetime-local', name: 'from', value: local(r.from), 'aria-label': 'from (UTC)' });
  const to = h('input', { type: 'datetime-local', name: 'to', value: local(r.to), 'aria-label': 'to (UTC)' });
  const span = h('span', { class: custom ? 'custom-range' : 'custom-range hidden' }, from, '→', to);
  const select = h('select', { name: 'range', id: 'f-range' }, [...Object.keys(RANGES), 'custom'].map((k) => h('option', { value: k, selected: k === current }, k === 'custom' ? 'custom (UTC)' : `last ${k}`)));
  select.addEventListener('change', () => span.classList.toggle('hidden', select.value !== 'custom'));
  return h('label', { class: 'filter range' }, h('span', { class: 'label' }, 'time'), select, span);
}

/** The URL's filter values for an operation: its parameters that the URL names. */
export function queryFor(params: Param[], query: URLSearchParams, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of params) {
    const v = query.get(p.name);
    if (v && !skip.includes(p.name)) out[p.name] = v;
  }
  return out;
}
