const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The pattern of a policy duration: a whole number and a unit (`s`, `m`, `h`, `d`), e.g. `10m`, `30d`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,8}[smhd]$';
const DURATION = new RegExp(DURATION_PATTERN);

/** Milliseconds of a duration such as `10m`, or null when the text is not one. */
export function parseDuration(text: unknown): number | null {
  if (typeof text !== 'string' || !DURATION.test(text)) return null;
  return Number(text.slice(0, -1)) * UNITS[text.slice(-1)]!;
}

/** `600000` → `10m`: the largest unit that divides the duration exactly. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
