/** Values shorter than this are not scrubbed: they would match ordinary text. */
const MIN_SECRET_CHARS = 6;

/**
 * Secret values an HTTP client has handled (configured secrets, tokens it sent, token-request
 * bodies), replaced by `[redacted]` in anything it reports: error messages, details, log fields.
 * Each value is also matched in its URL-encoded forms, as a server may echo a form body.
 */
export class SecretScrubber {
  readonly #fixed: string[] = [];
  readonly #recent: string[] = [];

  constructor(fixed: readonly string[] = [], private readonly maxRecent = 48) {
    for (const value of fixed) this.#add(this.#fixed, value);
  }

  /** Remembers values seen in flight (tokens, assertions); the oldest are forgotten past `maxRecent`. */
  remember(values: Iterable<string>): void {
    for (const value of values) this.#add(this.#recent, value);
    if (this.#recent.length > this.maxRecent) this.#recent.splice(0, this.#recent.length - this.maxRecent);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of [...this.#fixed, ...this.#recent]) {
      if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    return out;
  }

  #add(list: string[], value: string): void {
    for (const form of new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)])) {
      if (form.length >= MIN_SECRET_CHARS && !list.includes(form)) list.push(form);
    }
  }
}

/** The values of a request body that carries secrets: each form field's value, or the whole body. */
export function bodySecrets(body: string | Uint8Array | undefined, contentType: string | undefined): string[] {
  if (body === undefined) return [];
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) return [...new URLSearchParams(text).values()];
  return [text];
}
