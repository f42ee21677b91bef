import { ApiError } from '../api.js';
import type { Ctx } from '../context.js';
import { h, notice } from '../dom.js';

/** An item of `GET /v1/providers`. */
export interface Provider {
  provider: string; name: string; capabilities: string[]; actions: string[];
  settings: Array<{ name: string; type: string; required: boolean; secret: boolean; description: string | null; example: string | null; enum: string[] | null }>;
}
type Setting = Provider['settings'][number];

/** How a secret is given: kept encrypted by the server, or a reference it reads when it applies the connection. */
const SECRET_KINDS = [['inline', 'value (kept encrypted)'], ['env', 'environment variable'], ['file', 'file']] as const;

function settingControl(s: Setting): { node: HTMLElement; value(): unknown } {
  const id = `c-${s.name}`;
  const hint = [s.description, s.example ? `e.g. ${s.example}` : null].filter(Boolean).join(' · ');
  const wrap = (control: HTMLElement, extra?: HTMLElement) => h('label', { class: 'field', title: hint },
    h('span', { class: 'label' }, s.name, s.required ? ' *' : ''), extra ?? null, control, hint ? h('span', { class: 'hint' }, hint) : null);
  if (s.secret) {
    const kind = h('select', { 'aria-label': `${s.name} given as` }, SECRET_KINDS.map(([v, label]) => h('option', { value: v }, label)));
    const input = h('input', { id, name: s.name, type: 'password', autocomplete: 'off', required: s.required });
    kind.addEventListener('change', () => { input.type = kind.value === 'inline' ? 'password' : 'text'; input.placeholder = kind.value === 'env' ? 'VARIABLE_NAME' : kind.value === 'file' ? '/path/to/secret' : ''; });
    return { node: wrap(input, kind), value: () => (input.value === '' ? undefined : kind.value === 'inline' ? input.value : { [kind.value]: input.value }) };
  }
  if (s.enum) {
    const select = h('select', { id, name: s.name }, s.required ? null : h('option', { value: '' }, 'default'), s.enum.map((v) => h('option', { value: v }, v)));
    return { node: wrap(select), value: () => select.value || undefined };
  }
  if (s.type === 'boolean') {
    const box = h('select', { id, name: s.name }, h('option', { value: '' }, 'default'), h('option', { value: 'true' }, 'yes'), h('option', { value: 'false' }, 'no'));
    return { node: wrap(box), value: () => (box.value === '' ? undefined : box.value === 'true') };
  }
  if (s.type === 'object' || s.type === 'array') {
    const area = h('textarea', { id, name: s.name, rows: 3, class: 'mono', spellcheck: 'false', placeholder: s.example ?? 'JSON', required: s.required });
    return { node: wrap(area), value: () => (area.value.trim() === '' ? undefined : parseJson(area.value, s.name)) };
  }
  const numeric = s.type === 'integer' || s.type === 'number';
  const input = h('input', { id, name: s.name, type: numeric ? 'number' : 'text', autocomplete: 'off', spellcheck: 'false', placeholder: s.example ?? '', required: s.required });
  return { node: wrap(input), value: () => (input.value.trim() === '' ? undefined : numeric ? Number(input.value) : input.value.trim()) };
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
}

/**
 * Connect a new instance: the provider, a name, the provider's settings as `GET /v1/providers` lists them
 * (secrets inline, or as a reference to an environment variable or a file), more settings as JSON (schedule,
 * limits), started or paused. The API checks it all and answers a 400 naming the setting at fault.
 */
export function connectForm(ctx: Ctx, providers: Provider[], done: (answer: { provider: string; instance: string; updated_at: string | null }) => void): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' });
  const provider = providers.length > 0
    ? h('select', { id: 'c-provider', name: 'provider', required: true }, providers.map((p) => h('option', { value: p.provider }, `${p.name} (${p.provider})`)))
    : h('input', { id: 'c-provider', name: 'provider', type: 'text', required: true, placeholder: 'okta' });
  const instance = h('input', { id: 'c-instance', name: 'instance', type: 'text', required: true, pattern: '[a-z0-9][a-z0-9_\\-]*', maxlength: 64, placeholder: 'main', autocomplete: 'off' });
  const extra = h('textarea', { id: 'c-extra', name: 'extra', rows: 3, class: 'mono', spellcheck: 'false', placeholder: '{ "schedule": { "activitiesEveryMs": 60000 } }' });
  const paused = h('input', { type: 'checkbox', name: 'paused' });
  const fields = h('div', { class: 'connect-fields' });
  let controls: Array<[string, { value(): unknown }]> = [];
  const showSettings = () => {
    const p = providers.find((x) => x.provider === provider.value);
    const made = (p?.settings ?? []).map((s) => [s, settingControl(s)] as const);
    controls = made.map(([s, c]) => [s.name, c]);
    const optional = made.filter(([s]) => !s.required);
    fields.replaceChildren(...made.filter(([s]) => s.required).map(([, c]) => c.node),
      optional.length > 0 ? h('details', {}, h('summary', {}, `Optional settings (${optional.length})`), h('div', { class: 'connect-fields' }, optional.map(([, c]) => c.node))) : '');
  };
  provider.addEventListener('change', showSettings);
  showSettings();

  const form = h('form', { class: 'connect', 'aria-label': 'connect an app' },
    h('div', { class: 'connect-fields' },
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'app'), provider),
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'instance name'), instance, h('span', { class: 'hint' }, 'lower-case letters, digits, _ and -'))),
    fields,
    h('details', {}, h('summary', {}, 'More settings (JSON): schedule, limits, activities'), extra),
    h('div', { class: 'connect-buttons' }, h('label', { class: 'small' }, paused, ' start paused'), h('button', { type: 'submit', class: 'primary' }, 'Connect')),
    h('p', { class: 'muted small' }, 'A secret given as a value is kept encrypted and never shown again; an environment variable or a file is read by the workers that run the connection.'),
    out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        const settings: Record<string, unknown> = extra.value.trim() ? parseJson(extra.value, 'more settings') as Record<string, unknown> : {};
        for (const [name, c] of controls) {
          const v = c.value();
          if (v !== undefined) settings[name] = v;
        }
        const answer = await ctx.api.call<{ provider: string; instance: string; updated_at: string | null }>('POST', '/v1/connectors', {
          json: { provider: provider.value, instance: instance.value.trim(), settings, ...(paused.checked ? { paused: true } : {}) },
        });
        out.replaceChildren();
        form.reset();
        showSettings();
        done(answer);
      } catch (err) {
        out.replaceChildren(notice(err instanceof ApiError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err), 'error'));
      }
    })();
  });
  return form;
}
