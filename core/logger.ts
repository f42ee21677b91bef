import { pino, type Logger, type LoggerOptions } from 'pino';
import { CORE_SECRET_KEYS } from './config.js';

export type { Logger } from 'pino';

/** Headers that carry credentials, whatever the provider: redacted wherever a logged object holds them. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];
const CENSOR = '[redacted]';

export interface LoggerSettings {
  level?: string;
  /** Human-readable lines instead of JSON (for a terminal). */
  pretty?: boolean;
  /** Where lines go; tests pass a stream to read what was really written. */
  destination?: NodeJS.WritableStream;
  /**
   * Names of settings whose values are secret, redacted at any depth of every line (the `secret:
   * true` marks of the connectors' config schemas: `connectorSecretKeys()` of the registry). The
   * core configuration's own secrets and credential headers are always redacted.
   */
  secretKeys?: Iterable<string>;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const redact = lineRedactor([...CORE_SECRET_KEYS, ...CREDENTIAL_HEADERS, ...(settings.secretKeys ?? [])]);
  const options: LoggerOptions = {
    level: settings.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'appwarden' },
    // Secrets are kept out of logs by design (configuration is never logged whole); this is the second line of
    // defence. It works on the line pino wrote, so it covers child bindings and serialized errors too.
    hooks: { streamWrite: redact },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' } },
    });
  }
  return pino(options);
}

/**
 * Redacts one JSON log line: the value of every key in `keys` (compared case-insensitively), at any
 * depth, in objects and arrays. Lines that name none of the keys are returned as they are.
 */
export function lineRedactor(keys: Iterable<string>): (line: string) => string {
  const names = new Set([...keys].map((k) => k.toLowerCase()));
  if (names.size === 0) return (line) => line;
  const mentions = new RegExp(`"(${[...names].map(escapeRegExp).join('|')})"\\s*:`, 'i');
  return (line) => {
    if (!mentions.test(line)) return line;
    try {
      return `${JSON.stringify(redactDeep(JSON.parse(line), names))}\n`;
    } catch {
      return line;
    }
  };
}

function redactDeep(value: unknown, names: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, names));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(value)) out[k] = names.has(k.toLowerCase()) && item !== null ? CENSOR : redactDeep(item, names);
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A logger that writes nothing, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
