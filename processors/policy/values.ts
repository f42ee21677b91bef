import { BlockList, isIP } from 'node:net';
import { RE2JS } from 're2js';
import { emailDomain, type FieldGetter } from './field-catalogue.js';

/** One value of a field (never null) → whether it satisfies a condition. */
export type ValueTest = (value: unknown) => boolean;

/** A scalar a policy compares with. */
export type Scalar = string | number | boolean | null;

/** A compiled IP network (or address). */
export type NetworkList = BlockList;

/** A value as text for comparison: lower-cased unless `cased`. */
export function text(v: unknown, cased: boolean): string {
  const s = typeof v === 'string' ? v : String(v);
  return cased ? s : s.toLowerCase();
}

/** How a text operator compares a value with a wanted text (both already cased alike). */
export function textComparison(op: 'equals' | 'contains' | 'startswith' | 'endswith'): (value: string, wanted: string) => boolean {
  switch (op) {
    case 'equals': return (v, w) => v === w;
    case 'contains': return (v, w) => v.includes(w);
    case 'startswith': return (v, w) => v.startsWith(w);
    case 'endswith': return (v, w) => v.endsWith(w);
  }
}

/** True when a field has at least one value (an empty list has none). */
export function hasValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v)) return v.some((x) => x !== null && x !== undefined);
  return true;
}

/** True when one of the field's values passes the test. */
export function anyValue(v: unknown, test: ValueTest): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && x !== undefined && test(x)) return true;
    return false;
  }
  return test(v);
}

/** A value as a number: numbers as they are, numeric text parsed, anything else NaN. */
export function numeric(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

const DOMAINS = /@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)/gi;

/** The email domains in a value: one per address, for values holding several (`a@x.com; b@y.org`). */
export function domainsIn(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const out: string[] = [];
  for (const m of value.matchAll(DOMAINS)) out.push(m[1]!.toLowerCase());
  if (out.length === 0) {
    const single = emailDomain(value);
    if (single) out.push(single);
  }
  return out;
}

/** A getter of the email domains in a field's value(s), for the `domain` modifier. */
export function withDomains(getter: FieldGetter): FieldGetter {
  return (ctx) => {
    const v = getter(ctx);
    if (Array.isArray(v)) return v.flatMap(domainsIn);
    return domainsIn(v);
  };
}

const RE2_FLAGS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/**
 * A regular expression on RE2's linear-time engine (re2js): its time grows with the text, never
 * exponentially, whatever the pattern. Answers the test (a search, like RegExp.test), or why the
 * pattern is refused: RE2 has no backreferences or lookaround, since those cannot run in linear time.
 */
export function linearRegex(source: string, flags = ''): ((text: string) => boolean) | string {
  let bits = 0;
  for (const f of flags) bits |= RE2_FLAGS[f] ?? 0;
  try {
    const re = RE2JS.compile(source, bits);
    return (text) => re.test(text);
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    const hint = /escape sequence|Perl syntax|named capture/.test(message) ? ' (RE2 has no backreferences or lookaround: they cannot run in linear time)' : '';
    return `not a valid regular expression for the linear-time engine (RE2): ${message}${hint}`;
  }
}

/** A glob (`*` any text, `?` one character) as an anchored regular expression source. */
export function globToRegex(glob: string): string {
  let out = '^';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return `${out}$`;
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address as a network; null when it is not one. */
export function parseCidr(p: Scalar): BlockList | null {
  if (typeof p !== 'string') return null;
  const [address = '', prefixText, extra] = p.trim().split('/');
  if (extra !== undefined) return null;
  const family = isIP(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

/** True when the value is an IP address inside one of the networks. */
export function inNetwork(v: unknown, lists: BlockList[]): boolean {
  if (typeof v !== 'string') return false;
  let address = v;
  // An IPv4 address carried in IPv6 (`::ffff:10.1.2.3`) is compared as IPv4.
  if (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return lists.some((l) => l.check(address, type));
}
