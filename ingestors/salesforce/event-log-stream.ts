import type { Logger } from '../../core/logger.js';
import type { ActivityStream, TimeWindow } from '../contract.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { soqlString, soqlTime, type SalesforceApi } from './api.js';
import { csvRows } from './csv.js';

const FILE_FIELDS = ['Id', 'EventType', 'LogDate', 'Interval', 'Sequence', 'LogFileLength', 'CreatedDate'];

/**
 * User activity from EventLogFile: the log files *created* in the window (hourly files are published
 * hours after their hour, sometimes later, so the cursor is the file's CreatedDate, ties by Id, never
 * its LogDate), each downloaded as CSV and read row by row; a page holds at most `rowsPerPage` rows,
 * so a file of hundreds of MB is never held whole. Each row is one record: its columns, and under
 * `attributes` the file it came from and its row number, which make its stable event id.
 */
export class EventLogFileStream implements ActivityStream {
  readonly name = 'event_log_files';
  readonly capabilities = ['activities:user', 'activities:logon'] as const;
  readonly permission = 'ViewEventLogFiles';
  /** Files this process read to the end (id → CreatedDate): a trailing re-read skips them, so their rows are published once. */
  readonly #done = new Map<string, number>();

  constructor(
    private readonly api: SalesforceApi,
    private readonly interval: 'Hourly' | 'Daily',
    private readonly rowsPerPage: number,
    private readonly log: Logger,
  ) {}

  async *read(window: TimeWindow, signal: AbortSignal): AsyncIterable<unknown[]> {
    for (const [id, created] of this.#done) if (created < window.since) this.#done.delete(id);
    // The list first (a few files an hour): a query locator is not kept open while files download.
    const files = await this.api.queryAll(
      `SELECT ${FILE_FIELDS.join(', ')} FROM EventLogFile WHERE Interval = ${soqlString(this.interval)} AND CreatedDate >= ${soqlTime(window.since)} AND CreatedDate < ${soqlTime(window.until)} ORDER BY CreatedDate ASC, Id ASC`,
      signal,
    );
    for (const file of files) {
      const id = str(file.Id);
      const created = isoTime(file.CreatedDate);
      if (id === null || created === null || this.#done.has(id)) continue;
      let rows = 0;
      for await (const page of this.#pages(file, id, signal)) {
        rows += page.length;
        yield page;
      }
      // Reached only once the consumer asked past the last page: every row of the file was published.
      this.#done.set(id, created);
      this.log.debug({ file: id, eventType: file.EventType, logDate: file.LogDate, rows }, 'event log file read');
    }
  }

  timeOf(raw: unknown): number | null {
    return isoTime(obj(obj(raw)?.attributes)?.createdDate);
  }

  async *#pages(file: Json, id: string, signal: AbortSignal): AsyncGenerator<Json[], void, undefined> {
    const body = await this.api.logFile(id, signal);
    const context = { type: 'EventLogFile', logFileId: id, eventType: file.EventType, interval: file.Interval, logDate: file.LogDate, createdDate: file.CreatedDate };
    let header: string[] | null = null;
    let index = 0;
    let page: Json[] = [];
    try {
      for await (const cells of csvRows(body)) {
        if (header === null) {
          header = cells;
          continue;
        }
        const row: Json = {};
        for (let i = 0; i < header.length; i++) row[header[i]!] = cells[i] ?? '';
        row.attributes = { ...context, row: ++index };
        page.push(row);
        if (page.length >= this.rowsPerPage) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    } finally {
      body.destroy();
    }
  }
}
