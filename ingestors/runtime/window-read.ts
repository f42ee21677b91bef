import { isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ActivityStream, TimeWindow } from '../contract.js';

/** A page of a window's read and its newest record time (see `readWindow`). */
export interface WindowPage {
  readonly records: unknown[];
  readonly newest: number;
}

/** Restarts of one window after refused continuations, before the refusal fails the poll. */
const MAX_RESTARTS = 3;

/**
 * The pages of one window of an activity stream. When the provider refuses a continuation (page
 * token, cursor, query locator) as expired (`AW_PROVIDER_CONTINUATION_EXPIRED`), the window is read
 * again from the saved position: for a stream read oldest first, the newest record time of the
 * pages already handed out (the caller has handled a page before it asks for the next, and records
 * sharing that millisecond may be on the refused page); newest first, the window's start. Records
 * read twice keep their event ids. `log` names the provider and instance (the connector's log does); the warning adds the stream.
 * Each page comes with its newest record time, capped at the window's end (`-Infinity` for a page
 * without times, and for every page of a stream read newest first, whose older records may follow).
 */
export async function* readWindow(
  stream: ActivityStream,
  window: TimeWindow,
  signal: AbortSignal,
  log: Logger,
): AsyncGenerator<WindowPage, void, undefined> {
  let since = window.since;
  for (let restarts = 0; ; restarts++) {
    let newest = -Infinity;
    try {
      for await (const page of stream.read({ since, until: window.until }, signal)) {
        const pageNewest = stream.order === 'desc' ? -Infinity : Math.min(newestTime(stream, page), window.until);
        newest = Math.max(newest, pageNewest);
        yield { records: page, newest: pageNewest };
      }
      return;
    } catch (err) {
      if (!isAppwardenError(err, 'AW_PROVIDER_CONTINUATION_EXPIRED') || signal.aborted || restarts >= MAX_RESTARTS) throw err;
      const from = stream.order === 'desc' ? window.since : Math.max(since, newest);
      log.warn({ stream: stream.name, err, window: { since: iso(window.since), until: iso(window.until) }, restartFrom: iso(from) },
        'the provider refused the continuation as expired; reading the window again from the saved position');
      since = from;
    }
  }
}

function newestTime(stream: ActivityStream, page: readonly unknown[]): number {
  let newest = -Infinity;
  for (const raw of page) {
    const t = stream.timeOf(raw);
    if (t !== null && t > newest) newest = t;
  }
  return newest;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
