/**
 * The text of each record exactly as the provider sent it, taken from the response body once, so that
 * a normalizer stores `raw` without serializing the parsed record again (`NormalizeContext.rawText`).
 *
 * When the HTTP client parses a JSON body it scans the text once for the records: the objects that
 * are elements of the top-level array, or of an array that is a property of the top-level object
 * (`{"value": [...]}`, `{"items": [...]}`). Each parsed element object is remembered with its text
 * slice; nothing else is kept, and a record the client did not parse (a test's literal) has no text.
 */
const texts = new WeakMap<object, string>();

/** The provider's own text of a parsed record, when the HTTP client saw it. */
export function recordText(record: unknown): string | undefined {
  return typeof record === 'object' && record !== null ? texts.get(record) : undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/** Remembers the text of every record of `parsed`, the value `JSON.parse(body)` returned. */
export function rememberRecordTexts(body: string, parsed: unknown): void {
  if (typeof parsed !== 'object' || parsed === null) return;
  const arrays = recordSpans(body);
  if (!arrays) return;
  for (const [key, spans] of arrays) {
    const array = key === null ? parsed : (parsed as Record<string, unknown>)[key];
    // Elements that are not all objects (counts differ): no texts for that array.
    if (!Array.isArray(array) || array.length * 2 !== spans.length) continue;
    for (let i = 0; i < array.length; i++) {
      const element: unknown = array[i];
      if (typeof element === 'object' && element !== null) texts.set(element, body.slice(spans[2 * i]!, spans[2 * i + 1]!));
    }
  }
}

/**
 * Per record array (null: the top-level array; else the top-level property holding it), the start
 * and end offsets of each object element, flat: [start0, end0, start1, end1, …]. Null when the text
 * does not end balanced.
 */
function recordSpans(body: string): Map<string | null, number[]> | null {
  const out = new Map<string | null, number[]>();
  let depth = 0;
  let topIsObject = false;
  let key: string | null = null; // the last property name read at depth 1
  let lastStart = -1;
  let lastEnd = -1;
  let spans: number[] | null = null; // the record array being scanned
  let level = 0; // depth inside the record array
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      lastStart = i;
      i = closingQuote(body, i + 1);
      lastEnd = i;
    } else if (c === COLON) {
      if (depth === 1 && topIsObject) key = body.slice(lastStart + 1, lastEnd);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 0) topIsObject = c === OPEN_BRACE;
      if (c === OPEN_BRACKET && spans === null && (depth === 0 || (depth === 1 && topIsObject))) {
        spans = [];
        out.set(depth === 0 ? null : key, spans);
        level = depth + 1;
      } else if (spans !== null && depth === level && c === OPEN_BRACE) {
        spans.push(i);
      }
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (spans !== null && depth === level && c === CLOSE_BRACE) spans.push(i + 1);
      else if (spans !== null && depth === level - 1) spans = null;
    }
  }
  return depth === 0 ? out : null;
}

/**
 * The offset of the quote that closes the string opened just before `from` (`length` if none). Most
 * of a body is string content: the engine's indexOf skips it far faster than a loop over characters.
 */
function closingQuote(body: string, from: number): number {
  for (let q = body.indexOf('"', from); q !== -1; q = body.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (q - 1 - backslashes >= from && body.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return body.length;
}
