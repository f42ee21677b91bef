import { setMaxListeners } from 'node:events';

export interface LinkedSignal {
  /** Aborts with the reason of the first of the linked signals that aborts; undefined when none was given. */
  readonly signal: AbortSignal | undefined;
  /** Unlinks it from its sources; call it once the work it guards is over. */
  dispose(): void;
}

const NOTHING = () => undefined;

/**
 * One signal for several (any may be absent), unlinked by `dispose()`. Node's `AbortSignal.any` keeps a
 * reference to every signal it made in each of its sources until that source aborts (nodejs/node#55351):
 * made per request or per sleep from a long-lived signal (the instance's, the process's), they pile up
 * without end.
 */
export function linkSignals(signals: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const sources = [...new Set(signals.filter((s): s is AbortSignal => s !== undefined))];
  if (sources.length <= 1) return { signal: sources[0], dispose: NOTHING };
  const aborted = sources.find((s) => s.aborted);
  if (aborted) return { signal: AbortSignal.abort(aborted.reason), dispose: NOTHING };
  const controller = new AbortController();
  const dispose = () => { for (const source of sources) source.removeEventListener('abort', onAbort); };
  function onAbort(this: AbortSignal): void {
    dispose();
    controller.abort(this.reason);
  }
  // A long-lived source carries one listener per piece of work in flight (concurrent requests, queued
  // ones); each is removed when its work ends, so their number is not a leak to warn about.
  setMaxListeners(0, ...sources);
  for (const source of sources) source.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose };
}
