import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<true>();

/**
 * Runs `fn` (a governance action) so that a change it asks of a provider is sent once: when a POST or
 * PATCH gets no answer (a timeout, a connection cut after sending), the HTTP client does not send it
 * again, since the provider may have applied it; it throws AW_PROVIDER_OUTCOME_UNKNOWN instead, and the
 * executor re-reads the target before it tries again. Reads and idempotent methods retry as usual.
 */
export function changeOnce<T>(fn: () => T): T {
  return scope.run(true, fn);
}

/** Whether the caller is inside `changeOnce`. */
export function inChangeOnce(): boolean {
  return scope.getStore() === true;
}
