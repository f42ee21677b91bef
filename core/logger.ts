import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths redacted in every log line. Secrets also never reach a logger by design (configuration is
 * logged through `redactConfig`), this is the second line of defence.
 */
export const REDACT_PATHS = [
  'token', '*.token', 'apiToken', '*.apiToken', 'clientSecret', '*.clientSecret', 'password', '*.password',
  'privateKey', '*.privateKey', 'authorization', '*.authorization', 'headers.authorization',
  'req.headers.authorization', 'adminKey', '*.adminKey', 'config.connectors.*.*.token', 'config.connectors.*.*.clientSecret',
];

export interface LoggerSettings {
  level?: string;
  /** Human-readable lines instead of JSON (for a terminal). */
  pretty?: boolean;
  /** Where lines go; tests pass a stream to read what was really written. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'appwarden' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
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

/** A logger that writes nothing, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
