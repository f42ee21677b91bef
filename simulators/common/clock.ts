/**
 * The simulator's notion of "now". Simulators read time only through a Clock, so a test can move
 * time forward (late events, rate-limit windows) without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A clock that runs with the real clock, shifted by an offset that tests may change. */
export interface AdjustableClock extends Clock {
  /** The current shift from the real clock, in milliseconds. */
  readonly offsetMs: number;
  /** Moves this clock forward (or back, with a negative value). */
  advance(ms: number): void;
  /** Sets this clock so that `now()` returns `epochMs` at this instant; it keeps running afterwards. */
  set(epochMs: number): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export function createClock(offsetMs = 0): AdjustableClock {
  let offset = offsetMs;
  return {
    get offsetMs() {
      return offset;
    },
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
    set(epochMs: number) {
      offset = epochMs - Date.now();
    },
  };
}
