import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { isAppwardenError } from '../core/errors.js';
import { toJsonView } from '../schemas/json-view.js';
import type { AuditEvent } from '../schemas/types.js';

/** A provider's audit normalizer, as the connector registry exposes it; a record may hold several events. */
export type AuditNormalizer = (raw: unknown, ctx: { instance: string; ingestedAt: number; rawText?: string; stream?: string; timeZone?: string }) => AuditEvent | AuditEvent[];

export interface NormalizeIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface NormalizeOptions {
  /** The clock for `ingested_at`; defaults to `Date.now`. */
  now?: () => number;
}

const USAGE = 'usage: appwarden normalize --provider <id> [--instance <name>] [--stream <name>] [--time-zone <zone>] < records.jsonl';
const HELP = `${USAGE}

Reads one raw provider record (JSON) per line from standard input and writes one normalized
audit event per line (JSON, Avro field names, times in ISO 8601 UTC); a record that holds several
events (a Google Workspace activity) gives one line per event. --stream names the stream the
records came from where their fields do not say it (a ServiceNow table: sysevent, sys_audit,
syslog_transaction); --time-zone the IANA zone of times written without an offset (a ServiceNow
instance's zone; default UTC). A line that cannot be read
or normalized is reported on standard error as "line N: <reason>" and skipped.
Exit status: 0 all lines normalized, 1 some failed, 2 usage error.
`;

/**
 * `appwarden normalize`: normalizes a JSON-lines stream of raw records with a provider's normalizer.
 * Returns the exit code: 0 when every line normalized, 1 when any failed, 2 for a usage error.
 */
export async function runNormalize(
  args: string[],
  io: NormalizeIo,
  normalizers: Record<string, AuditNormalizer>,
  options: NormalizeOptions = {},
): Promise<number> {
  const known = Object.keys(normalizers).sort().join(', ') || '(none)';
  let values: { provider?: string; instance?: string; stream?: string; 'time-zone'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { provider: { type: 'string' }, instance: { type: 'string' }, stream: { type: 'string' }, 'time-zone': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (!values.provider) {
    io.stderr.write(`--provider is required; known providers: ${known}\n${USAGE}\n`);
    return 2;
  }
  const normalize = Object.hasOwn(normalizers, values.provider) ? normalizers[values.provider] : undefined;
  if (!normalize) {
    io.stderr.write(`unknown provider "${values.provider}"; known providers: ${known}\n`);
    return 2;
  }
  const instance = values.instance ?? 'default';
  const zone = values['time-zone'];
  if (zone !== undefined && !validZone(zone)) {
    io.stderr.write(`--time-zone ${JSON.stringify(zone)} is not an IANA time zone (e.g. Europe/Paris)\n${USAGE}\n`);
    return 2;
  }
  const context = { ...(values.stream ? { stream: values.stream } : {}), ...(zone ? { timeZone: zone } : {}) };
  const now = options.now ?? Date.now;

  // A closed stdout (e.g. `| head`) ends the run quietly instead of crashing on EPIPE.
  let outputError: NodeJS.ErrnoException | null = null;
  const onOutputError = (err: NodeJS.ErrnoException) => {
    outputError ??= err;
  };
  io.stdout.on('error', onOutputError);

  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  let normalized = 0;
  let failed = 0;
  try {
    for await (const text of lines) {
      if (outputError) break;
      lineNo++;
      const line = lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      if (line.trim() === '') continue;

      let output: string;
      try {
        const raw: unknown = JSON.parse(line);
        const events = normalize(raw, { instance, ingestedAt: now(), rawText: line, ...context });
        output = (Array.isArray(events) ? events : [events]).map((event) => `${JSON.stringify(toJsonView(event, 'audit-event'))}\n`).join('');
      } catch (err) {
        failed++;
        io.stderr.write(`line ${lineNo}: ${describeFailure(err)}\n`);
        continue;
      }
      normalized++;
      if (!io.stdout.write(output)) await drained(io.stdout);
    }
    if (!outputError && io.stdout.writableNeedDrain) await drained(io.stdout);
  } catch (err) {
    io.stderr.write(`cannot read the input: ${(err as Error).message}\n`);
    return 1;
  } finally {
    // The error listener stays: a write still in flight may fail after we return.
    lines.close();
  }

  const closed = outputError as NodeJS.ErrnoException | null;
  if (closed && closed.code !== 'EPIPE') {
    io.stderr.write(`cannot write the output: ${closed.message}\n`);
    return 1;
  }
  if (failed > 0) io.stderr.write(`${normalized} records normalized, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof SyntaxError) return `not JSON: ${err.message}`;
  if (isAppwardenError(err)) {
    const field = err.details.field;
    return typeof field === 'string' ? `${err.message} (field: ${field})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Resolves when the stream can take more, or has failed or closed (so a dead pipe never hangs us). */
async function drained(stream: Writable): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: ac.signal }),
      once(stream, 'error', { signal: ac.signal }).catch(() => undefined),
      once(stream, 'close', { signal: ac.signal }),
    ]);
  } catch {
    // An abort or an error event: the caller checks the recorded output error.
  } finally {
    ac.abort();
  }
}
