/**
 * The AWS Query protocol (IAM, STS): a form-encoded POST naming `Action` and `Version`, answered
 * in XML; lists page with `Marker` while `IsTruncated` is true. Elements are read into the shapes
 * the SDKs give (member lists as arrays, policy documents decoded), which are the connector's raw records.
 */
import { AppwardenError } from '../../core/errors.js';
import type { HttpClient } from '../runtime/http-client.js';
import { child, parseXml, textAt, type XmlElement } from './xml.js';

export type Json = Record<string, unknown>;

/** Elements whose text is an URL-encoded policy document (IAM encodes them, RFC 3986). */
const POLICY_DOCUMENTS = new Set(['PolicyDocument', 'AssumeRolePolicyDocument', 'Document']);

/** An element as JSON: `member` children become an array, other children an object, a leaf its text. */
export function xmlToJson(element: XmlElement): unknown {
  if (element.children.length === 0) {
    const text = element.text.trim();
    if (POLICY_DOCUMENTS.has(element.name) && text !== '') return parsePolicyDocument(text);
    return text;
  }
  if (element.children.every((c) => c.name === 'member')) return element.children.map(xmlToJson);
  const out: Json = {};
  for (const c of element.children) out[c.name] = xmlToJson(c);
  return out;
}

function parsePolicyDocument(text: string): unknown {
  for (const candidate of [() => decodeURIComponent(text), () => text]) {
    try {
      return JSON.parse(candidate()) as unknown;
    } catch {
      // next
    }
  }
  return text;
}

export class QueryApi {
  constructor(private readonly http: HttpClient, private readonly version: string) {}

  /** One call; answers the `<ActionResult>` element (an empty one for actions without result). */
  async call(action: string, params: Record<string, string | number | undefined> = {}, acceptStatus: number[] = []): Promise<{ status: number; result: XmlElement; error: string | null }> {
    const form = new URLSearchParams({ Action: action, Version: this.version });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, String(v));
    const res = await this.http.request<string>({
      method: 'POST', path: '/', rawBody: form.toString(), responseType: 'text', acceptStatus,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    const root = parseXml(res.body);
    if (res.status >= 300) return { status: res.status, result: root, error: textAt(root, 'Error', 'Code') };
    return { status: res.status, result: child(root, `${action}Result`) ?? { name: `${action}Result`, children: [], text: '' }, error: null };
  }

  /** Every page of a Marker-paged list action. */
  async *pages(action: string, params: Record<string, string | number | undefined>): AsyncGenerator<Json, void, undefined> {
    let marker: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const { result } = await this.call(action, { ...params, Marker: marker });
      yield xmlToJson(result) as Json;
      const next = textAt(result, 'Marker');
      if (textAt(result, 'IsTruncated') !== 'true' || next === null || next === marker) return;
      marker = next;
    }
    throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `${action} paging did not end`);
  }

  /** The items of `listKey` over every page. */
  async list(action: string, listKey: string, params: Record<string, string | number | undefined>): Promise<Json[]> {
    const out: Json[] = [];
    for await (const page of this.pages(action, params)) {
      const items = page[listKey];
      if (Array.isArray(items)) out.push(...(items as Json[]));
    }
    return out;
  }
}
