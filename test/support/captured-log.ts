import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../core/logger.js';
import { connectorSecretKeys } from '../../ingestors/registry.js';
import { testLog } from './stack.js';

/** A logger whose lines (from info up) a test reads back as the JSON pino wrote; every line also goes to the tests' log. */
export function capturedLog(): { log: Logger; lines: () => Array<Record<string, unknown>>; warnings: () => Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      const line = JSON.parse(String(chunk)) as Record<string, unknown>;
      lines.push(line);
      testLog[pino.levels.labels[line.level as number] as 'info' | 'warn' | 'error'](line, 'captured');
      done();
    },
  });
  const log = createLogger({ level: 'info', destination: sink, secretKeys: connectorSecretKeys() });
  return { log, lines: () => [...lines], warnings: () => lines.filter((l) => (l.level as number) >= pino.levels.values.warn!) };
}
