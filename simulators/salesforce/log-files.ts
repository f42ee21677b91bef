/**
 * EventLogFile: the log files of the org's history (hourly files published 3–6 hours after their hour,
 * daily ones the next day), their CSV bodies with the documented columns of each event type, late files
 * added by tests, and very large files generated row by row as they are downloaded.
 */
import { Readable } from 'node:stream';
import { createPrng } from '../common/prng.js';
import type { Activity, Login, OrgHistory } from './history.js';
import { PREFIX, salesforceId } from './ids.js';
import { salesforceTime, type Org, type Row } from './org.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Columns of each event type's log file (EventLogFile supported event types reference). */
export const LOG_COLUMNS: Record<string, readonly string[]> = {
  Login: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'RUN_TIME', 'CPU_TIME', 'URI', 'SESSION_KEY', 'LOGIN_KEY', 'USER_TYPE', 'REQUEST_STATUS', 'DB_TOTAL_TIME', 'LOGIN_TYPE', 'BROWSER_TYPE', 'API_TYPE', 'API_VERSION', 'USER_NAME', 'TLS_PROTOCOL', 'CIPHER_SUITE', 'AUTHENTICATION_METHOD_REFERENCE', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP', 'URI_ID_DERIVED', 'LOGIN_STATUS', 'SOURCE_IP'],
  Logout: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'SESSION_KEY', 'LOGIN_KEY', 'USER_TYPE', 'SESSION_LEVEL', 'SESSION_TYPE', 'USER_INITIATED_LOGOUT', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP'],
  URI: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'RUN_TIME', 'CPU_TIME', 'URI', 'SESSION_KEY', 'LOGIN_KEY', 'USER_TYPE', 'REQUEST_STATUS', 'DB_TOTAL_TIME', 'REFERRER_URI', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP', 'URI_ID_DERIVED'],
  API: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'RUN_TIME', 'CPU_TIME', 'URI', 'SESSION_KEY', 'LOGIN_KEY', 'USER_TYPE', 'REQUEST_STATUS', 'DB_TOTAL_TIME', 'API_TYPE', 'API_VERSION', 'CLIENT_NAME', 'METHOD_NAME', 'ENTITY_NAME', 'ROWS_PROCESSED', 'REQUEST_SIZE', 'RESPONSE_SIZE', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP', 'URI_ID_DERIVED'],
  Report: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'RUN_TIME', 'CPU_TIME', 'URI', 'SESSION_KEY', 'LOGIN_KEY', 'USER_TYPE', 'REQUEST_STATUS', 'DB_TOTAL_TIME', 'ENTITY_NAME', 'REPORT_ID', 'ROW_COUNT', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP', 'URI_ID_DERIVED'],
  ReportExport: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'CLIENT_INFO', 'REPORT_ID', 'REPORT_DESCRIPTION', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP', 'URI', 'URI_ID_DERIVED'],
  ContentTransfer: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'RUN_TIME', 'CPU_TIME', 'URI', 'SESSION_KEY', 'LOGIN_KEY', 'USER_TYPE', 'REQUEST_STATUS', 'DB_TOTAL_TIME', 'TRANSACTION_TYPE', 'SIZE_BYTES', 'FILE_TYPE', 'FILE_PREVIEW_TYPE', 'VERSION_ID', 'DOCUMENT_ID', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP', 'URI_ID_DERIVED'],
  LightningPageView: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'SESSION_KEY', 'LOGIN_KEY', 'USER_TYPE', 'APP_NAME', 'PAGE_URL', 'PAGE_ENTITY_TYPE', 'PAGE_ENTITY_ID', 'DURATION', 'EFFECTIVE_PAGE_TIME', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP'],
  KnowledgeArticleView: ['EVENT_TYPE', 'TIMESTAMP', 'REQUEST_ID', 'ORGANIZATION_ID', 'USER_ID', 'SESSION_KEY', 'ARTICLE_ID', 'ARTICLE_VERSION_ID', 'LANGUAGE', 'TIMESTAMP_DERIVED', 'USER_ID_DERIVED', 'CLIENT_IP'],
};

/** `20241026044641.024`, the TIMESTAMP column. */
function logTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace('Z', '');
}

/** One event of a log file, whatever its source, reduced to what its columns need. */
export interface LogEvent {
  eventType: string;
  atMs: number;
  user: Row;
  ip: string;
  requestId: string;
  sessionKey: string;
  status: string;
  entityId: string;
  runTime: number;
  loginStatus?: string;
  loginType?: string;
  browser?: string;
}

export function loginLogEvent(l: Login): LogEvent {
  return {
    eventType: 'Login', atMs: l.atMs, user: l.user, ip: l.ip, requestId: l.requestId, sessionKey: l.sessionKey, status: l.status === 'Success' ? 'S' : 'F',
    entityId: '', runTime: 80, loginStatus: l.status === 'Success' ? 'LOGIN_NO_ERROR' : 'LOGIN_ERROR_INVALID_PASSWORD', loginType: l.loginType === 'Application' ? 'Application' : 'Remote Access 2.0', browser: l.browser,
  };
}

export function activityLogEvent(a: Activity): LogEvent {
  return { eventType: a.eventType, atMs: a.atMs, user: a.user, ip: a.ip, requestId: a.requestId, sessionKey: a.sessionKey, status: a.status, entityId: a.entityId, runTime: a.runTime };
}

function cell(column: string, e: LogEvent, orgId: string): string {
  const userId = String(e.user.Id);
  switch (column) {
    case 'EVENT_TYPE': return e.eventType;
    case 'TIMESTAMP': return logTimestamp(e.atMs);
    case 'TIMESTAMP_DERIVED': return new Date(e.atMs).toISOString();
    case 'REQUEST_ID': return e.requestId;
    case 'ORGANIZATION_ID': return orgId.slice(0, 15);
    case 'USER_ID': return userId.slice(0, 15);
    case 'USER_ID_DERIVED': return userId;
    case 'USER_NAME': return String(e.user.Username);
    case 'USER_TYPE': return 'Standard';
    case 'CLIENT_IP': case 'SOURCE_IP': return e.ip;
    case 'SESSION_KEY': return e.sessionKey;
    case 'REQUEST_STATUS': return e.status;
    case 'RUN_TIME': return String(e.runTime);
    case 'CPU_TIME': return String(Math.floor(e.runTime / 3));
    case 'DB_TOTAL_TIME': return String(e.runTime * 51_000);
    case 'URI': return e.eventType === 'Login' ? '/index.jsp' : e.eventType === 'ContentTransfer' ? `/sfc/servlet.shepherd/document/download/${e.entityId}` : `/${e.entityId}`;
    case 'LOGIN_STATUS': return e.loginStatus ?? '';
    case 'LOGIN_TYPE': return e.loginType ?? '';
    case 'BROWSER_TYPE': return e.browser ?? '';
    case 'TLS_PROTOCOL': return 'TLSv1.3';
    case 'CIPHER_SUITE': return 'TLS_AES_256_GCM_SHA384';
    case 'API_TYPE': return e.eventType === 'API' ? 'R' : '';
    case 'API_VERSION': return '62.0';
    case 'ENTITY_NAME': return e.eventType === 'API' ? 'Account' : e.eventType === 'Report' ? 'Opportunity' : '';
    case 'REPORT_ID': case 'DOCUMENT_ID': case 'PAGE_ENTITY_ID': case 'ARTICLE_ID': return e.entityId;
    case 'TRANSACTION_TYPE': return 'Download';
    case 'SIZE_BYTES': return '48213';
    case 'ROWS_PROCESSED': case 'ROW_COUNT': return '25';
    case 'METHOD_NAME': return 'query';
    case 'APP_NAME': return 'one:one';
    case 'PAGE_URL': return `/lightning/r/Account/${e.entityId}/view`;
    case 'USER_INITIATED_LOGOUT': return '1';
    case 'SESSION_LEVEL': return 'STANDARD';
    default: return '';
  }
}

function quote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

export function csvLine(columns: readonly string[], e: LogEvent, orgId: string): string {
  return `${columns.map((c) => quote(cell(c, e, orgId))).join(',')}\n`;
}

/** A log file: its EventLogFile row and how to produce its body. */
export interface LogFile {
  row: Row;
  createdMs: number;
  /** The events it holds, in order (generated files); a large file has none and `large` instead. */
  events: LogEvent[];
  large?: { rows: number; rowBytes: number; eventType: string };
}

export interface LogFileTiming {
  hourlyDelayMinMs: number;
  hourlyDelayMaxMs: number;
  dailyDelayMs: number;
}

/** The org's log files, derived from its history hour by hour, and the ones tests add. */
export class LogFiles {
  readonly added: LogFile[] = [];
  readonly #hours = new Map<number, LogEvent[]>();
  /** Every file listed so far, by id: a download follows its listing. */
  readonly #byId = new Map<string, LogFile>();

  constructor(
    private readonly seed: string, private readonly org: Org, private readonly history: OrgHistory, private readonly timing: LogFileTiming,
    /** Where the org's history starts: no file holds an earlier hour. */
    private readonly historyStart: () => number,
  ) {}

  #hourEvents(hour: number): LogEvent[] {
    if (hour < this.historyStart()) return [];
    let events = this.#hours.get(hour);
    if (!events) {
      events = [
        ...this.history.logins.between(hour, hour + HOUR).map(loginLogEvent),
        ...this.history.activity.between(hour, hour + HOUR).map(activityLogEvent),
      ].sort((a, b) => a.atMs - b.atMs);
      this.#hours.set(hour, events);
    }
    return events;
  }

  #file(key: string, eventType: string, interval: 'Hourly' | 'Daily', logDateMs: number, createdMs: number, events: LogEvent[]): LogFile {
    const id = salesforceId(PREFIX.EventLogFile, `${this.seed}:elf:${key}`);
    const known = this.#byId.get(id);
    if (known) return known;
    const columns = LOG_COLUMNS[eventType] ?? LOG_COLUMNS.URI!;
    const length = Buffer.byteLength(columns.map(quote).join(',') + '\n') + events.reduce((n, e) => n + Buffer.byteLength(csvLine(columns, e, this.org.orgId)), 0);
    const file: LogFile = {
      createdMs, events,
      row: {
        attributes: { type: 'EventLogFile', url: `/services/data/v62.0/sobjects/EventLogFile/${id}` },
        Id: id, EventType: eventType, LogDate: salesforceTime(logDateMs), Interval: interval, Sequence: 1, LogFileLength: length,
        LogFileFieldNames: columns.join(','), LogFileContentType: 'CSV', ApiVersion: 62, CreatedDate: salesforceTime(createdMs),
        LogFile: `/services/data/v62.0/sobjects/EventLogFile/${id}/LogFile`,
      },
    };
    this.#byId.set(id, file);
    return file;
  }

  /** A file listed before, if it is visible at `nowMs`. */
  find(id: string, nowMs: number): LogFile | undefined {
    const file = this.#byId.get(id);
    return file && file.createdMs <= nowMs ? file : undefined;
  }

  /** Every file created in [fromMs, nowMs] (a file is visible once created). */
  visible(fromMs: number, nowMs: number): LogFile[] {
    const files: LogFile[] = [];
    // No file holds an hour before the history: a caller asking from 0 does not walk every hour since 1970.
    const from = Math.max(fromMs, this.historyStart() - DAY);
    const firstHour = Math.floor((from - 7 * HOUR - DAY) / HOUR) * HOUR;
    for (let hour = firstHour; hour < nowMs; hour += HOUR) {
      const delays = createPrng(`${this.seed}:elf-delay:${hour}`);
      const created = hour + HOUR + delays.int(this.timing.hourlyDelayMinMs, this.timing.hourlyDelayMaxMs + 1);
      if (created > nowMs || created < fromMs) continue;
      for (const [type, events] of byType(this.#hourEvents(hour))) files.push(this.#file(`h:${hour}:${type}`, type, 'Hourly', hour, created, events));
    }
    for (let day = Math.floor((from - 2 * DAY) / DAY) * DAY; day < nowMs; day += DAY) {
      const created = day + DAY + this.timing.dailyDelayMs;
      if (created > nowMs || created < fromMs) continue;
      const events: LogEvent[] = [];
      for (let hour = day; hour < day + DAY; hour += HOUR) events.push(...this.#hourEvents(hour));
      for (const [type, list] of byType(events)) files.push(this.#file(`d:${day}:${type}`, type, 'Daily', day, created, list));
    }
    return [...files, ...this.added.filter((f) => f.createdMs >= fromMs && f.createdMs <= nowMs)];
  }

  /** A file published now for an hour long past (hourly files can arrive hours late). */
  addLate(eventType: string, hourMs: number, events: LogEvent[], nowMs: number): LogFile {
    const file = this.#file(`late:${hourMs}:${eventType}:${this.added.length}`, eventType, 'Hourly', hourMs, nowMs, events);
    this.added.push(file);
    return file;
  }

  /** A file of about `bytes` bytes whose rows are generated while it is downloaded, never held. */
  addLarge(bytes: number, nowMs: number): LogFile {
    const probe = csvLine(LOG_COLUMNS.URI!, this.#largeEvent(0, nowMs), this.org.orgId);
    const rowBytes = Buffer.byteLength(probe);
    const rows = Math.max(1, Math.ceil(bytes / rowBytes));
    const file = this.#file(`large:${this.added.length}`, 'URI', 'Hourly', Math.floor(nowMs / HOUR) * HOUR - HOUR, nowMs, []);
    file.large = { rows, rowBytes, eventType: 'URI' };
    file.row.LogFileLength = Buffer.byteLength(LOG_COLUMNS.URI!.map(quote).join(',') + '\n') + rows * rowBytes;
    this.added.push(file);
    return file;
  }

  /** Fixed-width rows (the request id holds the row number) so the size is known before the file is made. */
  #largeEvent(index: number, baseMs: number): LogEvent {
    const user = this.org.users[index % this.org.users.length]!;
    return { eventType: 'URI', atMs: baseMs - 3_000_000 + (index % 3_000_000), user, ip: '81.2.69.160', requestId: `LARGE${String(index).padStart(12, '0')}`, sessionKey: 'AAAAAAAAAAAAAAAA', status: 'S', entityId: '001000000000001AAA', runTime: 100 };
  }

  /** The CSV body of a file, as a stream: header then rows, written as the reader asks. */
  body(file: LogFile): Readable {
    const eventType = String(file.row.EventType);
    const columns = LOG_COLUMNS[eventType] ?? LOG_COLUMNS.URI!;
    const header = columns.map(quote).join(',') + '\n';
    const orgId = this.org.orgId;
    const total = file.large?.rows ?? file.events.length;
    let next = -1;
    const rowAt = (i: number) => csvLine(columns, file.large ? this.#largeEvent(i, file.createdMs) : file.events[i]!, orgId);
    return new Readable({
      read() {
        // ~64 KB per push: enough rows to keep the socket busy, never the whole file.
        let chunk = '';
        while (chunk.length < 65_536 && next < total) {
          chunk += next === -1 ? header : rowAt(next);
          next++;
        }
        if (chunk !== '') this.push(chunk);
        if (next >= total) this.push(null);
      },
    });
  }
}

function byType(events: LogEvent[]): Map<string, LogEvent[]> {
  const out = new Map<string, LogEvent[]>();
  for (const e of events) {
    let list = out.get(e.eventType);
    if (!list) out.set(e.eventType, (list = []));
    list.push(e);
  }
  return out;
}
