import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { TSchema } from 'typebox';

export const EXPORT_FORMATS = ['json', 'ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows per block of a streamed export: the most an export holds at once. */
export const EXPORT_BLOCK_ROWS = 8192;

/** One column of a CSV export: its header and how to get its text from an item. */
export interface CsvColumn<I> {
  name: string;
  value(item: I): string | number | boolean | null | undefined | readonly (string | null)[];
}

const CONTENT_TYPES = { ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

/**
 * The 200 answer of a route that also exports: its JSON page, or every matching row as NDJSON or CSV,
 * so that the OpenAPI document names each content type the route may answer.
 */
export function exportableResponse(page: TSchema): { content: Record<string, { schema: TSchema | { type: 'string'; description: string } }> } {
  return {
    content: {
      'application/json': { schema: page },
      'application/x-ndjson': { schema: { type: 'string', description: 'format=ndjson: one JSON item a line' } },
      'text/csv': { schema: { type: 'string', description: 'format=csv: a header line, then one item a line' } },
    },
  };
}

/**
 * Streams every block of a query to the client as NDJSON or CSV, reading the next block only when the
 * client has taken the previous one (the socket's backpressure), so memory stays that of one block
 * whatever the size of the result. The first block is read before the answer starts, so a query the
 * engine refuses is still a proper error answer; a failure later cuts the answer short (a client sees
 * an incomplete body, never a truncated one that looks complete).
 */
export async function sendExport<R, I>(
  reply: FastifyReply,
  blocks: AsyncIterable<R[]>,
  options: { format: 'ndjson' | 'csv'; toItem: (row: R) => I; columns: readonly CsvColumn<I>[]; filename: string; maxRows?: number },
): Promise<FastifyReply> {
  const { format, toItem, columns } = options;
  const iterator = blocks[Symbol.asyncIterator]();
  const first = await iterator.next();
  let left = options.maxRows ?? Number.POSITIVE_INFINITY;
  const render = (rows: R[]): string => {
    const taken = rows.length > left ? rows.slice(0, left) : rows;
    left -= taken.length;
    let out = '';
    for (const row of taken) {
      const item = toItem(row);
      out += format === 'ndjson' ? `${JSON.stringify(item)}\n` : `${columns.map((c) => csvField(c.value(item))).join(',')}\r\n`;
    }
    return out;
  };
  async function* body(): AsyncGenerator<string> {
    try {
      if (format === 'csv') yield `${columns.map((c) => csvField(c.name)).join(',')}\r\n`;
      if (first.done) return;
      yield render(first.value);
      while (left > 0) {
        const next = await iterator.next();
        if (next.done) return;
        const text = render(next.value);
        if (text) yield text;
      }
    } finally {
      // Stops the query when the client went away or the limit was reached.
      await iterator.return?.();
    }
  }
  return reply
    .type(CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="${options.filename}.${format}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(body(), { objectMode: false, highWaterMark: 1 }));
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'`:
 * names and agents in the trail come from outside and must not become formulas on an analyst's machine.
 */
export function csvField(value: string | number | boolean | null | undefined | readonly (string | null)[]): string {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.map((v) => v ?? '').join('|') : String(value);
  if (typeof value === 'string' || Array.isArray(value)) {
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
