import type { Readable } from 'node:stream';
import { ProviderHttpError } from '../../core/errors.js';
import { pathSegment, type HttpClient, type HttpMethod, type HttpRequest, type NextPage } from '../runtime/http-client.js';
import { bodyItems } from '../runtime/paging.js';
import type { Json } from '../runtime/json-fields.js';
import type { SalesforceSession } from './session.js';

/** A SOQL datetime literal (UTC, no quotes): `2024-05-01T12:00:00.000Z`. */
export function soqlTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A SOQL string literal: quotes and backslashes escaped. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `Id IN ('a','b')`. */
export function soqlIn(field: string, ids: readonly string[]): string {
  return `${field} IN (${ids.map(soqlString).join(',')})`;
}

/**
 * `nextRecordsUrl` is relative to the instance that answered (`/services/data/v62.0/query/01g...-2000`):
 * resolved against the answer's URL, not the client's base URL (the login server).
 */
const queryPages: NextPage<Json> = (res, req) => {
  const items = bodyItems<Json>(res, 'records');
  const link = (res.body as Json).nextRecordsUrl;
  const done = (res.body as Json).done;
  if (done === true || typeof link !== 'string' || link === '') return { items, next: null };
  return { items, next: { url: new URL(link, res.url).href, headers: req.headers, signal: req.signal } };
};

/** The REST API calls of the connector, on the org's instance URL (`/services/data/vXX.X/...`). */
export class SalesforceApi {
  constructor(
    private readonly http: HttpClient,
    private readonly session: SalesforceSession,
    private readonly version: string,
    private readonly batchSize: number,
  ) {}

  async url(path: string): Promise<string> {
    return `${await this.session.instanceUrl()}/services/data/v${this.version}${path}`;
  }

  /** The records of a SOQL query, a page (up to `batchSize` rows) at a time, following `nextRecordsUrl`. */
  async *query(soql: string, signal?: AbortSignal): AsyncGenerator<Json[], void, undefined> {
    const first: HttpRequest = {
      url: await this.url('/query'), query: { q: soql }, headers: { 'sforce-query-options': `batchSize=${this.batchSize}` }, ...(signal ? { signal } : {}),
    };
    for await (const page of this.http.paginate(first, queryPages)) if (page.items.length > 0) yield page.items;
  }

  /** Every record of a query (for lists small by nature: a user's logins, a document's links). */
  async queryAll(soql: string, signal?: AbortSignal): Promise<Json[]> {
    const out: Json[] = [];
    for await (const page of this.query(soql, signal)) out.push(...page);
    return out;
  }

  /** One record by id, or null when it does not exist (404 NOT_FOUND). */
  async get(type: string, id: string, fields: readonly string[], signal?: AbortSignal): Promise<Json | null> {
    const res = await this.http.request<Json>({
      url: await this.url(`/sobjects/${pathSegment(type)}/${pathSegment(id)}`), query: { fields: fields.join(',') }, acceptStatus: [404], ...(signal ? { signal } : {}),
    });
    return res.status === 404 ? null : res.body;
  }

  /** PATCH / DELETE / POST on an sObject path; a 404 answers false (the record is gone). */
  async write(method: HttpMethod, path: string, body?: unknown, signal?: AbortSignal): Promise<{ found: boolean; body: unknown }> {
    const res = await this.http.request({
      method, url: await this.url(`/sobjects/${path}`), ...(body !== undefined ? { body } : {}), acceptStatus: [404], ...(signal ? { signal } : {}),
    });
    return { found: res.status !== 404, body: res.body };
  }

  /** A log file's CSV body as a stream (`/sobjects/EventLogFile/{id}/LogFile`), never held whole. */
  async logFile(id: string, signal?: AbortSignal): Promise<Readable> {
    const res = await this.http.request<Readable>({
      url: await this.url(`/sobjects/EventLogFile/${pathSegment(id)}/LogFile`), responseType: 'stream', headers: { accept: 'text/csv' }, ...(signal ? { signal } : {}),
    });
    return res.body;
  }

  /** The status of a probe request (credential checks): 2xx, or the refusal's status. */
  async probe(soql: string): Promise<number> {
    try {
      const res = await this.http.request({ url: await this.url('/query'), query: { q: soql } });
      return res.status;
    } catch (err) {
      if (err instanceof ProviderHttpError) return err.httpStatus;
      throw err;
    }
  }
}
