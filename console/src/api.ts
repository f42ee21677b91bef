/**
 * The console's one way to the API: the key signed in with goes in `Authorization: Bearer` (never in a
 * URL), answers are JSON, errors carry the API's code and sentence. What the server offers is read from
 * its OpenAPI document, so a route added to the API shows in the console without a change here.
 */
export type Query = Record<string, string | number | boolean | null | undefined>;

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export class Api {
  constructor(private readonly key: string) {}

  async request(method: string, path: string, options: { query?: Query; json?: unknown; text?: string; contentType?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, accept: 'application/json' };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.text !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/yaml';
      body = options.text;
    }
    const res = await fetch(path + queryString(options.query), { method, headers, body, credentials: 'omit', cache: 'no-store', redirect: 'error', signal: options.signal ?? null });
    if (!res.ok) {
      let code = `HTTP_${res.status}`;
      let message = res.statusText;
      try {
        const err = (await res.json()) as { code?: string; message?: string };
        code = err.code ?? code;
        message = err.message ?? message;
      } catch { /* not JSON */ }
      throw new ApiError(res.status, code, message);
    }
    return res;
  }

  async call<T>(method: string, path: string, options: { query?: Query; json?: unknown; text?: string; contentType?: string } = {}): Promise<T> {
    const res = await this.request(method, path, options);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.call<T>('GET', path, query ? { query } : {});
  }
}

export interface Param {
  name: string;
  description: string;
  enum: string[] | null;
  type: string;
  required: boolean;
}

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: { type?: string; enum?: unknown[]; anyOf?: Array<{ enum?: unknown[]; const?: unknown }>; description?: string } }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  'x-required-role'?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** What this server offers, from its OpenAPI document (`/docs/json`, public). */
export class Capabilities {
  constructor(private readonly doc: OpenApiDocument) {}

  static async load(): Promise<Capabilities> {
    const res = await fetch('/docs/json', { credentials: 'omit', cache: 'no-store' });
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, 'the API document could not be read');
    return new Capabilities((await res.json()) as OpenApiDocument);
  }

  private op(method: string, path: string): Operation | undefined {
    return this.doc.paths[path]?.[method.toLowerCase()];
  }

  has(method: string, path: string): boolean {
    return this.op(method, path) !== undefined;
  }

  /** The first path of `method` that matches `pattern` (`{name}` placeholders as the document writes them). */
  find(method: string, pattern: RegExp): string | null {
    for (const [path, ops] of Object.entries(this.doc.paths)) if (ops[method.toLowerCase()] && pattern.test(path)) return path;
    return null;
  }

  role(method: string, path: string): string | null {
    return this.op(method, path)?.['x-required-role'] ?? null;
  }

  /** The query parameters of an operation, with their allowed values when the document lists them. */
  queryParams(method: string, path: string): Param[] {
    return (this.op(method, path)?.parameters ?? []).filter((p) => p.in === 'query').map((p) => {
      const schema = p.schema ?? {};
      const values = schema.enum ?? schema.anyOf?.flatMap((a) => a.enum ?? (a.const !== undefined ? [a.const] : []));
      return {
        name: p.name, description: p.description ?? schema.description ?? '', required: p.required ?? false,
        type: schema.type ?? 'string', enum: values && values.length > 0 ? values.map(String) : null,
      };
    });
  }

  acceptsQuery(method: string, path: string, name: string, value?: string): boolean {
    const param = this.queryParams(method, path).find((p) => p.name === name);
    return param !== undefined && (value === undefined || param.enum === null || param.enum.includes(value));
  }

  /** The JSON request body schema of an operation, if any. */
  bodySchema(method: string, path: string): unknown {
    return this.op(method, path)?.requestBody?.content?.['application/json']?.schema ?? null;
  }
}

/** Fills `{name}` placeholders of an OpenAPI path. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}

export const ROLES = ['analyst', 'policy-author', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function hasRole(role: string, required: string): boolean {
  return ROLES.indexOf(role as Role) >= ROLES.indexOf(required as Role);
}

export interface Me {
  id: string;
  name: string;
  role: Role;
  raw: boolean;
}
