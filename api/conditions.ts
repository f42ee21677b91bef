/**
 * The WHERE clause of a query, assembled from fixed SQL fragments written in the route; every value
 * a request carries goes into `params` and is bound by the engine, never into the SQL text.
 */
export class Conditions {
  readonly params: Record<string, unknown>;
  private readonly clauses: string[] = [];

  constructor(params: Record<string, unknown> = {}) {
    this.params = { ...params };
  }

  /** `column = {param:String}` when the value is given. */
  equals(column: string, param: string, value: string | undefined): this {
    if (value !== undefined) this.add(`${column} = {${param}:String}`, { [param]: value });
    return this;
  }

  add(clause: string, params: Record<string, unknown> = {}): this {
    this.clauses.push(clause);
    Object.assign(this.params, params);
    return this;
  }

  toString(): string {
    return this.clauses.length === 0 ? '1 = 1' : this.clauses.join(' AND ');
  }
}

/** One page of a keyset query that fetched `limit + 1` rows: the items, and the cursor when more follow. */
export function keysetPage<R, I>(rows: R[], limit: number, toItem: (row: R) => I, cursorOf: (last: R) => string): { items: I[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(toItem), next_cursor: rows.length > limit && last ? cursorOf(last) : null };
}
