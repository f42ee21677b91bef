import { pino, type Logger, type LoggerOptions } from 'pino';
import { CORE_SECRET_KEYS } from './config.js';

export type { Logger } from 'pino';

/** Headers that carry credentials, whatever the provider: redacted wherever a logged object holds them. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];
const CENSOR = '[redacted]';
/** Deeper than this, a logged object is cut off: log lines are for people, not for dumps. */
const MAX_DEPTH = 12;

export interface LoggerSettings {
  level?: string;
  /** Human-readable lines instead of JSON (for a terminal). */
  pretty?: boolean;
  /** Where lines go; tests pass a stream to read what was really written. */
  destination?: NodeJS.WritableStream;
  /**
   * Names of settings whose values are secret, redacted at any depth of every logged object (the
   * `secret: true` marks of the connectors' config schemas: `connectorSecretKeys()` of the registry).
   * The core configuration's own secrets and credential headers are always redacted.
   */
  secretKeys?: Iterable<string>;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const keys = new Set([...CORE_SECRET_KEYS, ...CREDENTIAL_HEADERS, ...(settings.secretKeys ?? [])].map((k) => k.toLowerCase()));
  const options: LoggerOptions = {
    level: settings.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'appwarden' },
    // Secrets are kept out of logs by design (configuration is never logged whole); this is the second line of defence.
    formatters: { log: (object) => redactDeep(object, keys, 0) as Record<string, unknown> },
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
 * A copy of `value` with the value of every key in `keys` (compared case-insensitively) replaced, in
 * nested objects, arrays and errors (serialized as pino does, with their details and causes).
 */
export function redactDeep(value: unknown, keys: ReadonlySet<string>, depth: number): unknown {
  if (depth > MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return redactDeep(errorObject(value), keys, depth);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, keys, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(value)) {
    out[k] = keys.has(k.toLowerCase()) && item !== undefined && item !== null ? CENSOR : redactDeep(item, keys, depth + 1);
  }
  return out;
}

/** An error as a plain object (what pino's serializer writes, and its cause), so that its details are redacted too. */
function errorObject(err: Error): Record<string, unknown> {
  return {
    ...err, type: err.constructor.name, message: err.message, stack: err.stack,
    ...(err.cause !== undefined ? { cause: err.cause } : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A logger that writes nothing, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
