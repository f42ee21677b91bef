import type { Readable } from 'node:stream';
import { AppwardenError } from '../../core/errors.js';

/**
 * Rows of an RFC 4180 CSV stream (EventLogFile `LogFile` bodies: every field quoted, `""` inside a
 * quoted field, CRLF or LF line ends, line breaks allowed inside quotes), read chunk by chunk: only
 * the row being read is held, whatever the size of the file.
 */
export async function* csvRows(body: Readable): AsyncGenerator<string[], void, undefined> {
  body.setEncoding('utf8');
  const parser = new CsvParser();
  for await (const chunk of body) {
    const rows = parser.push(chunk as string);
    for (const row of rows) yield row;
  }
  const last = parser.end();
  if (last !== null) yield last;
}

/** The parser's state between chunks. */
export class CsvParser {
  #field = '';
  #row: string[] = [];
  #quoted = false;
  /** Inside quotes, a quote was the chunk's last character: it closes the field or starts `""`. */
  #quotePending = false;
  #fieldStarted = false;

  /** The rows completed by this chunk. */
  push(chunk: string): string[][] {
    const rows: string[][] = [];
    let i = 0;
    const n = chunk.length;
    if (this.#quotePending) {
      this.#quotePending = false;
      if (chunk[0] === '"') {
        this.#field += '"';
        i = 1;
      } else {
        this.#quoted = false;
      }
    }
    while (i < n) {
      if (this.#quoted) {
        const close = chunk.indexOf('"', i);
        if (close === -1) {
          this.#field += chunk.slice(i);
          break;
        }
        this.#field += chunk.slice(i, close);
        if (close + 1 === n) {
          this.#quotePending = true;
          i = n;
          break;
        }
        if (chunk[close + 1] === '"') {
          this.#field += '"';
          i = close + 2;
        } else {
          this.#quoted = false;
          i = close + 1;
        }
        continue;
      }
      const c = chunk[i]!;
      if (c === '"' && !this.#fieldStarted) {
        this.#quoted = true;
        this.#fieldStarted = true;
        i++;
      } else if (c === ',') {
        this.#row.push(this.#field);
        this.#field = '';
        this.#fieldStarted = false;
        i++;
      } else if (c === '\n' || c === '\r') {
        // A line break ends a row; a blank line (or the LF of a CRLF) ends none.
        if (this.#fieldStarted || this.#row.length > 0) rows.push(this.#endRow());
        i++;
      } else {
        // An unquoted run up to the next separator.
        let j = i;
        while (j < n && chunk[j] !== ',' && chunk[j] !== '\n' && chunk[j] !== '\r') j++;
        this.#field += chunk.slice(i, j);
        this.#fieldStarted = true;
        i = j;
      }
    }
    return rows;
  }

  /** The last row when the file does not end with a line break; throws when a quote was left open. */
  end(): string[] | null {
    if (this.#quoted && !this.#quotePending) {
      throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'the CSV body ends inside a quoted field', { details: { field: this.#field.slice(0, 40) } });
    }
    this.#quoted = false;
    this.#quotePending = false;
    return this.#fieldStarted || this.#row.length > 0 ? this.#endRow() : null;
  }

  #endRow(): string[] {
    this.#row.push(this.#field);
    const row = this.#row;
    this.#row = [];
    this.#field = '';
    this.#fieldStarted = false;
    return row;
  }
}
