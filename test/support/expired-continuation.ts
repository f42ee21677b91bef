/**
 * Reads one window of a connector's activity stream as the poller does (`readWindow`), arming the
 * simulator's `expired_token` fault once the first page is in: the next continuation is refused the
 * provider's way, mid-read. Answers the records read, how many pages, and the warnings logged.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../core/logger.js';
import type { ActivityStream, TimeWindow } from '../../ingestors/contract.js';
import { readWindow } from '../../ingestors/runtime/window-read.js';
import { simulatorFaults } from '../../simulators/common/faults.js';

export interface MidReadRefusal {
  records: unknown[];
  pages: number;
  /** Refusals the simulator answered. */
  injected: number;
  /** Warning lines logged (parsed). */
  warnings: Array<Record<string, unknown>>;
}

export async function readWithExpiryMidRead(simUrl: string, stream: ActivityStream, window: TimeWindow, signal: AbortSignal): Promise<MidReadRefusal> {
  const faults = simulatorFaults(simUrl);
  if (!faults) throw new Error(`no simulator listens at ${simUrl}`);
  const before = faults.injected.expired_token;
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
  const log = createLogger({ level: 'warn', destination }).child({ provider: 'test' });
  const records: unknown[] = [];
  let pages = 0;
  for await (const { records: page } of readWindow(stream, window, signal, log)) {
    pages++;
    records.push(...page);
    if (pages === 1) faults.arm({ kind: 'expired_token', count: 1 });
  }
  faults.clear();
  return {
    records, pages, injected: faults.injected.expired_token - before,
    warnings: lines.flatMap((l) => l.split('\n')).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
