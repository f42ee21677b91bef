import { isAppwardenError, isRetriable } from '../../core/errors.js';
import type { ActionHandler, ActionResult, ActionTarget } from '../../ingestors/contract.js';
import { fullJitterDelay } from '../../ingestors/runtime/backoff.js';
import { changeOnce } from '../../ingestors/runtime/change-once.js';

export interface ActionRunSettings {
  /** Attempts of an action that fails for a reason that passes, and the backoff between them. */
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Re-reads of the target after the action, and the pause between them. */
  verify: { attempts: number; delayMs: number };
}

export interface ActionRunHooks {
  /** Before each attempt (1-based within this run), with the error that made the previous one fail. */
  onAttempt(attempt: number, previousError: unknown): Promise<void>;
  /** Waits, keeping whatever must stay alive alive (the consumer's group membership). */
  pause(ms: number): Promise<void>;
}

export type ActionRunOutcome =
  | { kind: 'succeeded'; result: ActionResult }
  /** Applied, but re-reading the target never showed the effect. */
  | { kind: 'not_verified'; result: ActionResult; checks: number; lastError: unknown }
  | { kind: 'failed'; error: unknown; retriable: boolean };

/**
 * Runs one action: retries failures that may pass (the error's `retriable` flag) with full-jitter
 * backoff, or the wait the provider asked for; then re-reads the target until it shows the effect.
 * Rejects only when `signal` aborts, leaving the outcome to whoever runs the command next.
 */
export async function runAction(
  handler: ActionHandler, target: ActionTarget, params: Readonly<Record<string, string>>,
  settings: ActionRunSettings, hooks: ActionRunHooks, signal: AbortSignal,
): Promise<ActionRunOutcome> {
  let previous: unknown = null;
  let result: ActionResult | undefined;
  for (let attempt = 1; attempt <= settings.retry.maxAttempts; attempt++) {
    await hooks.onAttempt(attempt, previous);
    try {
      result = await changeOnce(() => handler.run(target, params, signal));
      break;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      previous = err;
      // The provider got the change but never answered: re-read before asking again, never apply twice.
      if (isAppwardenError(err, 'AW_PROVIDER_OUTCOME_UNKNOWN') && handler.verify) {
        if (await verifiedNow(handler, target, params, signal)) {
          result = { status: 'applied', message: 'the provider did not answer the change; re-reading the target shows it applied' };
          break;
        }
        if (attempt >= settings.retry.maxAttempts) return { kind: 'failed', error: err, retriable: true };
        await hooks.pause(retryDelay(err, attempt, settings.retry));
        continue;
      }
      const retriable = isRetriable(err);
      if (!retriable || attempt >= settings.retry.maxAttempts) return { kind: 'failed', error: err, retriable };
      await hooks.pause(retryDelay(err, attempt, settings.retry));
    }
  }
  if (!result) return { kind: 'failed', error: previous, retriable: true };
  // A noop observed the wanted state just now; an applied action is re-read until the provider shows it.
  if (result.status === 'noop' || !handler.verify) return { kind: 'succeeded', result };
  let lastError: unknown = null;
  for (let check = 1; check <= settings.verify.attempts; check++) {
    if (signal.aborted) throw signal.reason;
    try {
      if (await handler.verify(target, params, signal)) return { kind: 'succeeded', result };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      lastError = err;
    }
    if (check < settings.verify.attempts) await hooks.pause(settings.verify.delayMs);
  }
  return { kind: 'not_verified', result, checks: settings.verify.attempts, lastError };
}

/** One re-read of the target; a read that fails counts as not (yet) applied. */
async function verifiedNow(handler: ActionHandler, target: ActionTarget, params: Readonly<Record<string, string>>, signal: AbortSignal): Promise<boolean> {
  try {
    return await handler.verify!(target, params, signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    return false;
  }
}

/** Backoff with jitter, or longer when the provider asked for a wait (a throttle), within `maxDelayMs`. */
function retryDelay(err: unknown, attempt: number, retry: ActionRunSettings['retry']): number {
  const backoff = fullJitterDelay(attempt - 1, retry);
  const asked = isAppwardenError(err) && typeof err.details.waitMs === 'number' ? err.details.waitMs : 0;
  return Math.max(backoff, Math.min(asked, retry.maxDelayMs));
}

/** A failure as a person reads it: our message, and the provider's own words when its answer has them. */
export function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!isAppwardenError(err) || typeof err.details.body !== 'string') return message;
  const said = providerSaid(err.details.body);
  return said ? `${message}: ${said}` : message;
}

function providerSaid(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const parts: string[] = [];
    // Okta: errorSummary + errorCauses; OAuth-style APIs: error_description; others: message.
    for (const key of ['errorSummary', 'error_description', 'message']) if (typeof parsed[key] === 'string') parts.push(parsed[key] as string);
    if (Array.isArray(parsed.errorCauses)) {
      for (const cause of parsed.errorCauses) {
        const text = (cause as Record<string, unknown> | null)?.errorSummary;
        if (typeof text === 'string') parts.push(text);
      }
    }
    return parts.length > 0 ? parts.join('; ') : null;
  } catch {
    return null;
  }
}
