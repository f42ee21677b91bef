/** A numeric `--name` option of a simulator's command line, or undefined when absent. */
export function numberArg(values: Record<string, unknown>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${String(value)}`);
  return n;
}
