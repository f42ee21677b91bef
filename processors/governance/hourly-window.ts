const HOUR_MS = 3_600_000;

/**
 * Counts events per key over the last hour of wall-clock time (a sliding window, so no burst fits
 * twice around the turn of an hour). Times come from the caller's clock, never from events.
 */
export class HourlyWindow {
  private readonly times = new Map<string, number[]>();

  /** How many events of `key` happened in the hour up to `now`. */
  count(key: string, now: number): number {
    const list = this.times.get(key);
    if (!list) return 0;
    while (list.length > 0 && list[0]! <= now - HOUR_MS) list.shift();
    if (list.length === 0) this.times.delete(key);
    return list.length;
  }

  add(key: string, at: number): void {
    const list = this.times.get(key);
    if (!list) this.times.set(key, [at]);
    else {
      list.push(at);
      if (list.length > 1 && list[list.length - 2]! > at) list.sort((a, b) => a - b);
    }
  }
}
