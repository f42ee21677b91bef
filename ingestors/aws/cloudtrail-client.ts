/**
 * CloudTrail `LookupEvents` (JSON 1.1 protocol, `X-Amz-Target`): management events of one Region
 * by time window, `NextToken` sent back with the same parameters. The records are the events'
 * `CloudTrailEvent` JSON strings, exactly as received.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
import { ProviderHttpError } from '../../core/errors.js';
import type { TimeWindow } from '../contract.js';
import type { HttpClient } from '../runtime/http-client.js';
import { arr, obj, str } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { errorCodeOf } from './errors.js';

const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The time of a CloudTrail record (its `eventTime`), from the record or its JSON text. */
export function cloudTrailTime(raw: unknown): number | null {
  let record = raw;
  if (typeof raw === 'string') {
    try {
      record = JSON.parse(raw) as unknown;
    } catch {
      return null;
    }
  }
  return isoTime(obj(record)?.eventTime);
}

export class CloudTrailClient {
  constructor(private readonly http: HttpClient, private readonly pageSize: number) {}

  /** The records of `window`, newest first, a page at a time (CloudTrail lists newest first). */
  async *lookupEvents(window: TimeWindow, signal: AbortSignal): AsyncGenerator<string[], void, undefined> {
    const params = { StartTime: window.since / 1000, EndTime: window.until / 1000, MaxResults: this.pageSize };
    let nextToken: string | null = null;
    do {
      const body: Record<string, unknown> = nextToken === null ? params : { ...params, NextToken: nextToken };
      const res = await this.#call(body, signal);
      const page = obj(res);
      const records: string[] = [];
      for (const event of arr(page?.Events)) {
        // The whole record is a JSON string; an event without one is passed on as is (and dead-lettered).
        const text = str(obj(event)?.CloudTrailEvent) ?? JSON.stringify(event);
        const at = cloudTrailTime(text);
        // Seconds precision on the wire: keep the window half-open in milliseconds.
        if (at === null || (at >= window.since && at < window.until)) records.push(text);
      }
      if (records.length > 0) yield records;
      const token = str(page?.NextToken);
      nextToken = token !== null && token !== nextToken ? token : null;
    } while (nextToken !== null && !signal.aborted);
  }

  /** A cheap call that needs `cloudtrail:LookupEvents`: one event of the last minute. */
  async probe(signal?: AbortSignal): Promise<void> {
    const now = Date.now() / 1000;
    await this.#call({ StartTime: now - 60, EndTime: now, MaxResults: 1 }, signal);
  }

  async #call(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    try {
      const res = await this.http.request({
        method: 'POST', path: '/', rawBody: JSON.stringify(body), headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': TARGET }, ...(signal ? { signal } : {}),
      });
      return res.body;
    } catch (err) {
      throw asPermissionRefusal(err);
    }
  }
}

/**
 * JSON-protocol services answer a missing permission with HTTP 400 `AccessDeniedException`; the
 * runtime knows a refused permission by its 403, so the refusal is reported as one.
 */
export function asPermissionRefusal(err: unknown): unknown {
  const code = errorCodeOf(err);
  if (!(err instanceof ProviderHttpError) || err.httpStatus !== 400 || (code !== 'AccessDeniedException' && code !== 'AccessDenied')) return err;
  return new ProviderHttpError('AW_PROVIDER_AUTH_FAILED', `${err.message} (${code})`, { httpStatus: 403, cause: err, details: { ...err.details, awsStatus: 400, awsCode: code } });
}
