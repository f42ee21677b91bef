/** Names a title template may use besides the record's fields. */
export const MATCH_VARIABLES = ['count', 'alert_count', 'new_value', 'from', 'to', 'distance_km', 'speed_kmh', 'policy.id', 'policy.name'] as const;

type Part = string | { name: string };

/** A `{{name}}` template, parsed once. */
export interface Template {
  /** The names it uses, in order. */
  readonly names: readonly string[];
  /** Fills it in; a missing value prints as `(none)`, a list as its values joined by `, `. */
  render(lookup: (name: string) => unknown): string;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function parseTemplate(text: string): Template {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ name: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  const names = parts.filter((p): p is { name: string } => typeof p !== 'string').map((p) => p.name);
  return {
    names,
    render(lookup) {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : show(lookup(p.name));
      return out;
    },
  };
}

function show(v: unknown): string {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return '(none)';
  if (Array.isArray(v)) return v.map((x) => String(x)).join(', ');
  return String(v);
}
