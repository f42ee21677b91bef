/**
 * CloudTrail `LookupEvents` (JSON 1.1): events of the request's Region in [StartTime, EndTime],
 * newest first, `MaxResults` (1-50, default 50) a page, and a `NextToken` valid only with the same
 * parameters. Two requests per second per account and Region; over that, `ThrottlingException`.
 */
import { createHash } from 'node:crypto';
import { AwsError } from './aws-errors.js';
import type { Trail } from './trail.js';

const TARGET = 'CloudTrail_20131101.LookupEvents';

function epochMs(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw new AwsError(400, 'InvalidTimeRangeException', `${field} is not a time`);
}

export function lookupEvents(trail: Trail, region: string, target: string | undefined, body: unknown): unknown {
  if (!target?.endsWith(TARGET)) throw new AwsError(400, 'UnknownOperationException', `unknown operation ${target ?? ''}`);
  const input = (body ?? {}) as Record<string, unknown>;
  const start = input.StartTime === undefined ? 0 : epochMs(input.StartTime, 'StartTime');
  const end = input.EndTime === undefined ? Number.MAX_SAFE_INTEGER : epochMs(input.EndTime, 'EndTime');
  if (start > end) throw new AwsError(400, 'InvalidTimeRangeException', 'StartTime is after EndTime');
  const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
  if (!Number.isInteger(max) || max < 1 || max > 50) throw new AwsError(400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50');
  const { NextToken: token, ...params } = input;
  const paramsKey = createHash('sha256').update(JSON.stringify({ params, region })).digest('hex').slice(0, 16);
  const events = trail.between(region, start, end);
  let from = 0;
  if (token !== undefined) {
    const [key, atMs, id] = Buffer.from(String(token), 'base64url').toString('utf8').split('|');
    if (key !== paramsKey) throw new AwsError(400, 'InvalidNextTokenException', 'The NextToken does not match the request parameters');
    // After the last event served: older, or as old with a smaller id.
    from = events.findIndex((e) => e.atMs < Number(atMs) || (e.atMs === Number(atMs) && e.id < String(id)));
    if (from === -1) from = events.length;
  }
  const page = events.slice(from, from + max);
  const last = page[page.length - 1];
  return {
    Events: page.map((e) => {
      let record: Record<string, unknown> = {};
      try {
        record = JSON.parse(e.text) as Record<string, unknown>;
      } catch {
        // a broken record added by a test: served as is
      }
      const identity = (record.userIdentity ?? {}) as Record<string, unknown>;
      return {
        EventId: record.eventID ?? e.id, EventName: record.eventName, ReadOnly: String(record.readOnly ?? 'false'), AccessKeyId: identity.accessKeyId,
        EventTime: e.atMs / 1000, EventSource: record.eventSource, Username: identity.userName ?? identity.type,
        Resources: [], CloudTrailEvent: e.text,
      };
    }),
    ...(from + max < events.length && last ? { NextToken: Buffer.from(`${paramsKey}|${last.atMs}|${last.id}`).toString('base64url') } : {}),
  };
}
