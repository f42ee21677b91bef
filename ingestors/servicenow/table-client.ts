import { AppwardenError, providerStatus } from '../../core/errors.js';
import { linkHeaderNext, pathSegment, type HttpClient, type HttpRequest, type NextPage } from '../runtime/http-client.js';
import { obj, type Json } from '../runtime/json-fields.js';
import { bodyItems, itemPages } from '../runtime/paging.js';

/** One list read of the Table API (`GET /api/now/table/{table}`). */
export interface TableQuery {
  /** An encoded query (`active=true^ORDERBYsys_id`); built with `encodedQuery`. */
  query?: string;
  /** `sysparm_fields`: only these columns, to keep pages small. */
  fields?: readonly string[];
  /** `sysparm_display_value`: `all` gives `{ display_value, value }` pairs (a reference's name with its sys_id). */
  displayValue?: 'false' | 'all';
  limit?: number;
  signal?: AbortSignal;
}

/** A value as an encoded query may hold it: `^` would start a new condition, so it is refused. */
export function queryValue(value: string): string {
  if (value.includes('^') || /[\r\n]/.test(value)) {
    throw new AppwardenError('AW_BAD_REQUEST', `${JSON.stringify(value)} cannot be used in a ServiceNow encoded query`, { details: { value } });
  }
  return value;
}

/** Conditions joined by `^` (AND), the order-by clauses last. */
export function encodedQuery(conditions: ReadonlyArray<string | null>, orderBy: readonly string[] = []): string {
  return [...conditions.filter((c): c is string => c !== null && c !== ''), ...orderBy.map((f) => `ORDERBY${f}`)].join('^');
}

/**
 * Pages of `{ result: [...] }` linked by `Link: <…>; rel="next"`. `sysparm_limit` is applied before
 * the ACLs, so a page may come back short or even empty while more rows follow: the read ends when
 * the instance sends no next link, not at a short page.
 */
const tablePages: NextPage<unknown> = (res) => {
  const items = bodyItems(res, 'result');
  const next = linkHeaderNext(res);
  return { items, next: next !== null ? { url: next } : null };
};

/** Table API calls, nothing else. */
export class TableClient {
  constructor(private readonly http: HttpClient, private readonly pageSize: number) {}

  /** The rows of a query, a page at a time (empty pages left out). */
  rows(table: string, q: TableQuery = {}): AsyncIterable<unknown[]> {
    return itemPages(this.http, this.listRequest(table, q), tablePages);
  }

  /** One page only (a probe, the newest row). */
  async first(table: string, q: TableQuery = {}): Promise<Json[]> {
    const res = await this.http.request(this.listRequest(table, q));
    return bodyItems(res, 'result').map((r) => obj(r) ?? {});
  }

  /** One record, or null when it does not exist (or its ACLs hide it: ServiceNow answers 404 for both). */
  async get(table: string, sysId: string, q: Pick<TableQuery, 'fields' | 'signal'> = {}): Promise<Json | null> {
    const res = await this.http.request({
      path: `/api/now/table/${pathSegment(table)}/${pathSegment(sysId)}`,
      query: { sysparm_fields: q.fields?.join(','), sysparm_exclude_reference_link: true },
      acceptStatus: [404],
      ...(q.signal ? { signal: q.signal } : {}),
    });
    return res.status === 404 ? null : obj(obj(res.body)?.result);
  }

  async patch(table: string, sysId: string, body: Record<string, string>, signal?: AbortSignal): Promise<Json | null> {
    const res = await this.http.request({
      method: 'PATCH', path: `/api/now/table/${pathSegment(table)}/${pathSegment(sysId)}`, body,
      query: { sysparm_exclude_reference_link: true }, ...(signal ? { signal } : {}),
    });
    return obj(obj(res.body)?.result);
  }

  /** Deletes a record; one already gone (404) is what was wanted. Answers whether it existed. */
  async delete(table: string, sysId: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.http.request({
      method: 'DELETE', path: `/api/now/table/${pathSegment(table)}/${pathSegment(sysId)}`, acceptStatus: [404], ...(signal ? { signal } : {}),
    });
    return res.status !== 404;
  }

  /** The HTTP status of a one-row read of a table: what the credentials may read. */
  async probe(table: string): Promise<number> {
    try {
      return (await this.http.request(this.listRequest(table, { limit: 1, fields: ['sys_id'] }))).status;
    } catch (err) {
      const status = providerStatus(err);
      if (status !== null) return status;
      throw err;
    }
  }

  private listRequest(table: string, q: TableQuery): HttpRequest {
    return {
      path: `/api/now/table/${pathSegment(table)}`,
      query: {
        sysparm_query: q.query,
        sysparm_fields: q.fields?.join(','),
        sysparm_display_value: q.displayValue ?? 'false',
        sysparm_exclude_reference_link: true,
        // A count of a large table (sys_audit, syslog_transaction) costs the instance more than the page.
        sysparm_no_count: true,
        sysparm_limit: q.limit ?? this.pageSize,
        sysparm_offset: 0,
      },
      ...(q.signal ? { signal: q.signal } : {}),
    };
  }
}
