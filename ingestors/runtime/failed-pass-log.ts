import { isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/** Throttled passes in a row of one stream after which a throttled pass is logged as an error. */
export const THROTTLED_PASSES_BEFORE_ERROR = 5;

/**
 * Logs the failed passes of an instance's streams. A throttled pass is the provider's limit at work: the
 * next pass waits as the provider asked and resumes from the last acknowledged page, losing nothing. It is
 * a warning until the same stream has been throttled THROTTLED_PASSES_BEFORE_ERROR passes in a row; any
 * other failure is an error at once.
 */
export class FailedPassLog {
  private readonly throttledInARow = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  succeeded(stream: string): void {
    this.throttledInARow.delete(stream);
  }

  failed(stream: string, err: unknown): void {
    if (!isAppwardenError(err, 'AW_PROVIDER_THROTTLED')) {
      this.throttledInARow.delete(stream);
      this.log.error({ err, stream }, 'stream pass failed; the cursor stays at the last acknowledged page');
      return;
    }
    const throttledPasses = (this.throttledInARow.get(stream) ?? 0) + 1;
    this.throttledInARow.set(stream, throttledPasses);
    if (throttledPasses < THROTTLED_PASSES_BEFORE_ERROR) {
      this.log.warn({ err, stream, throttledPasses }, "the provider throttled the stream pass; the next one waits as it asked and resumes from the last acknowledged page");
    } else {
      this.log.error({ err, stream, throttledPasses }, 'the provider throttled every one of the last passes of the stream; the cursor stays at the last acknowledged page');
    }
  }
}
