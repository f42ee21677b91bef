import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` so that every request it makes through an HTTP client is also cancelled by `signal`.
 * Connections are shared by the parts of a process; a runner that stops cancels its own requests
 * this way, not those of the governance executor on the same connection.
 */
export function withCallerSignal<T>(signal: AbortSignal, fn: () => T): T {
  return scope.run(signal, fn);
}

/** The signal of the innermost `withCallerSignal`, if any. */
export function callerSignal(): AbortSignal | undefined {
  return scope.getStore();
}
