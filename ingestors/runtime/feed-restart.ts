import { isAppwardenError } from '../../core/errors.js';
import type { FeedRestart } from '../contract.js';

const REASON_BODY_CHARS = 300;

/**
 * Why the provider refused a change feed's cursor, when `err` is such a refusal
 * (`AW_PROVIDER_CONTINUATION_EXPIRED`: its `continuationRefused` recognised the answer), else null.
 */
export function refusedCursor(err: unknown): string | null {
  if (!isAppwardenError(err, 'AW_PROVIDER_CONTINUATION_EXPIRED')) return null;
  const body = err.details.body;
  return typeof body === 'string' && body !== '' ? `${err.message}: ${body.slice(0, REASON_BODY_CHARS)}` : err.message;
}

/** One page of a feed part read by `untilRefused`, or the refusal of the part's cursor. */
export type FeedRead<T> = { page: T; refused?: undefined } | { refused: FeedRestart; page?: undefined };

/**
 * The pages of one part of a change feed read from its saved cursor; when the provider refuses the
 * cursor, a last `{ refused }` instead of the error, so that the stream restarts that part from the
 * present (and reports it in the page's `restarted`). Only the pages' own requests are watched: an
 * error of what the caller does with a page (reading a file's permissions) goes on as it is.
 */
export async function* untilRefused<T>(pages: AsyncIterable<T>, part?: string): AsyncIterable<FeedRead<T>> {
  try {
    for await (const page of pages) yield { page };
  } catch (err) {
    const reason = refusedCursor(err);
    if (reason === null) throw err;
    yield { refused: { ...(part !== undefined ? { part } : {}), reason } };
  }
}
