/** Small pieces of the HTTP client that deal with bytes, headers and signals, not with policy. */
import { Readable } from 'node:stream';
import { AppwardenError } from '../../core/errors.js';
import { rememberRecordTexts } from './record-text.js';

/**
 * `auto` (default): JSON when the content-type says so, else text. `buffer` gives a Buffer.
 * `stream` gives a 2xx body as a Node `Readable` read by the caller (a file of hundreds of MB that
 * must never be held whole); other statuses are read and decoded as `auto`.
 */
export type ResponseType = 'auto' | 'json' | 'text' | 'buffer' | 'stream';

export interface RawResponse {
  status: number;
  headers: Headers;
  url: string;
  body: Buffer;
  /** With `responseType: 'stream'` and a 2xx status: the body, not yet read (`body` is then empty). */
  stream?: Readable;
}

export interface FailedAttempt {
  error: unknown;
  timedOut: boolean;
}

export function decodeBody(bytes: Buffer, contentType: string | null, type: ResponseType): { ok: true; value: unknown } | { ok: false } {
  if (type === 'buffer') return { ok: true, value: bytes };
  if (type === 'stream') type = 'auto';
  const text = bytes.toString('utf8');
  if (type === 'text' || (type === 'auto' && !/\bjson\b/i.test(contentType ?? ''))) return { ok: true, value: text };
  if (text.trim() === '') return { ok: true, value: null };
  try {
    const value: unknown = JSON.parse(text);
    rememberRecordTexts(text, value);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** The body of a refusal, for throttle policies: JSON when it parses, else text. */
export function decodeLeniently(res: RawResponse): unknown {
  const text = res.body.toString('utf8');
  if (!/\bjson\b/i.test(res.headers.get('content-type') ?? '') && !/^\s*[{[]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An abort signal for one attempt: the caller's stop, or our timeout, whichever comes first. */
export interface AttemptSignal {
  signal: AbortSignal;
  timedOut(): boolean;
  /** Starts the timeout again (a streamed body: while we wait for the provider's next chunk). */
  rearm(): void;
  /** Stops the timeout (a streamed body: while the caller is not asking for more). */
  disarm(): void;
  dispose(): void;
}

export function attemptSignal(stop: AbortSignal | undefined, timeoutMs: number): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  const arm = () => setTimeout(() => {
    timedOut = true;
    controller.abort(new AppwardenError('AW_PROVIDER_UNAVAILABLE', `no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  let timer: ReturnType<typeof setTimeout> | undefined = arm();
  const onStop = (): void => controller.abort(stop?.reason);
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    rearm: () => {
      clearTimeout(timer);
      timer = arm();
    },
    disarm: () => {
      clearTimeout(timer);
      timer = undefined;
    },
    dispose: () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    },
  };
}

/** Later sources win; names are lower-cased, as HTTP compares them case-insensitively. */
export function mergeHeaders(...sources: Array<Record<string, string> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) out[name.toLowerCase()] = value;
  }
  return out;
}

export function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * A fetch body as a Node stream read at the caller's pace: the attempt's timeout runs only while we
 * wait for the provider's next chunk, and stopping early (destroy) cancels the download.
 */
export function streamedBody(body: ReadableStream<Uint8Array>, attempt: AttemptSignal): Readable {
  const reader = body.getReader();
  attempt.disarm();
  return new Readable({
    async read() {
      attempt.rearm();
      try {
        const { done, value } = await reader.read();
        attempt.disarm();
        if (done) {
          attempt.dispose();
          this.push(null);
        } else {
          this.push(value);
        }
      } catch (err) {
        attempt.dispose();
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    },
    destroy(err, callback) {
      attempt.dispose();
      reader.cancel(err ?? undefined).catch(() => { /* already closed */ });
      callback(err);
    },
  });
}
