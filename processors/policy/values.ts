import { BlockList, isIP } from 'node:net';
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
