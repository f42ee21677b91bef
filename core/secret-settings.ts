import type { TSchema } from 'typebox';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Names of the settings a schema marks `secret: true`, at any depth (nested objects, arrays,
 * records, unions): what redaction in logs and API answers hides.
 */
export function secretKeys(schema: TSchema): string[] {
  const keys = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (s: unknown) => {
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    const node = s as {
      properties?: Record<string, unknown>; patternProperties?: Record<string, unknown>; additionalProperties?: unknown;
      allOf?: unknown[]; anyOf?: unknown[]; oneOf?: unknown[]; items?: unknown; prefixItems?: unknown[];
    };
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      if ((v as { secret?: boolean }).secret) keys.add(k);
      walk(v);
    }
    for (const v of Object.values(node.patternProperties ?? {})) walk(v);
    for (const sub of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.prefixItems ?? [])]) walk(sub);
    walk(node.additionalProperties);
    walk(Array.isArray(node.items) ? { allOf: node.items } : node.items);
  };
  walk(schema);
  return [...keys];
}

/** The string values held under secret keys anywhere in `value`: what an HTTP client must never echo. */
export function secretValues(value: unknown, keys: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown, secret: boolean) => {
    if (typeof v === 'string') {
      if (secret && v !== '') out.push(v);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, secret);
    } else if (isPlainObject(v)) {
      for (const [k, item] of Object.entries(v)) walk(item, secret || keys.includes(k));
    }
  };
  walk(value, false);
  return out;
}

/** A copy of an instance's settings with its secrets replaced (at any depth, in arrays too), safe for logs and API answers. */
export function redactSecrets<T extends Record<string, unknown>>(value: T, keys: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      out[k] = keys.includes(k) ? (item === undefined ? undefined : '[redacted]') : walk(item);
    }
    return out;
  };
  return walk(value) as T;
}
