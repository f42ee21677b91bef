import type { Logger } from '../../core/logger.js';
import type { CursorStore } from './cursor-store.js';
import type { SavedStatus } from './instance-status.js';

/**
 * Records an instance's status (phase, missing permissions, stream states) in the cursors topic when
 * it changed, for API processes that do not run the instance. Writes go out one after another.
 */
export class StatusWriter {
  #last = '';
  #writes: Promise<void> = Promise.resolve();

  constructor(private readonly cursors: CursorStore, private readonly key: string, private readonly log: Logger) {}

  save(saved: SavedStatus): void {
    const text = JSON.stringify(saved);
    if (text === this.#last) return;
    this.#last = text;
    this.#writes = this.#writes
      .then(() => this.cursors.save(this.key, saved as unknown as Record<string, unknown>))
      .catch((err) => this.log.warn({ err }, 'could not record the instance status'));
  }

  /** Resolves when every write asked for so far has finished. */
  flushed(): Promise<void> {
    return this.#writes;
  }
}
