import type { HttpResponse } from './http-client.js';

/**
 * The `rel="next"` URL of a response's RFC 8288 `Link` header(s), resolved against the response
 * URL, or null. Okta, ServiceNow and GitHub-style APIs page this way.
 */
export function linkHeaderNext(res: Pick<HttpResponse, 'headers' | 'url'>): string | null {
  const value = res.headers.get('link');
  if (value === null) return null;
  const next = parseLinkHeader(value).find((link) => (link.params.rel ?? '').toLowerCase().split(/\s+/).includes('next'));
  if (!next) return null;
  try {
    return new URL(next.url, res.url || undefined).href;
  } catch {
    return null;
  }
}

export interface LinkValue {
  url: string;
  /** Parameter names lower-cased; quoted values unquoted. */
  params: Record<string, string>;
}

/** Parses a `Link` header value; several headers joined with ", " (as `Headers.get` does) parse too. */
export function parseLinkHeader(value: string): LinkValue[] {
  const links: LinkValue[] = [];
  let i = 0;
  // Each pass consumes at least one character, so the loop ends.
  while (i < value.length) {
    const open = value.indexOf('<', i);
    if (open === -1) break;
    const close = value.indexOf('>', open + 1);
    if (close === -1) break;
    const link: LinkValue = { url: value.slice(open + 1, close).trim(), params: {} };
    i = close + 1;
    while (i < value.length) {
      const m = /^\s*;\s*([^\s=;,]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]*)))?/.exec(value.slice(i));
      if (!m || m[0].length === 0) break;
      const name = (m[1] ?? '').toLowerCase();
      const param = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3] ?? '';
      if (name !== '__proto__' && !Object.hasOwn(link.params, name)) link.params[name] = param;
      i += m[0].length;
    }
    links.push(link);
    const comma = value.indexOf(',', i);
    if (comma === -1) break;
    i = comma + 1;
  }
  return links;
}
