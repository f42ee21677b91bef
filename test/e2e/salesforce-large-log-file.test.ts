/**
 * A 300 MB EventLogFile is read row by row in bounded memory: the simulator generates the CSV while it
 * is downloaded (never stored), a child process runs the connector's log file stream over it, and its
 * peak memory (maxRSS) stays far below the file's size.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { startSalesforceSimulator } from '../../simulators/salesforce/index.js';
import { testLog } from '../support/stack.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./salesforce-large-log-file.child.ts', import.meta.url));
const FILE_BYTES = 300 * 1024 * 1024;

async function readAll(settings: Record<string, unknown>): Promise<{ rows: number; lastRequestId: string; maxRssKb: number }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, JSON.stringify(settings)], { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { rows: number; lastRequestId: string; maxRssKb: number };
}

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('a 300 MB log file streams through the connector in bounded memory, every row read', { timeout: 300_000 }, async () => {
  // No history: the only files are the ones added here.
  const sim = await startSalesforceSimulator({ log: testLog, seed: 'large-file', users: 4, groups: 0, files: 0, loginsPerDay: 0, setupPerDay: 0, activityPerDay: 0, days: 0 });
  cleanups.push(() => sim.close());
  const settings = { loginUrl: sim.loginUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, eventLogInterval: 'Hourly', limits: { timeoutMs: 60_000 } };

  // A small file first: the same process with the same code, to know the baseline.
  const small = sim.addLargeLogFile(64 * 1024);
  const baseline = await readAll(settings);
  assert.equal(baseline.rows, (small as { large?: { rows: number } }).large!.rows);

  const large = sim.addLargeLogFile(FILE_BYTES);
  assert.ok(Number(large.row.LogFileLength) >= FILE_BYTES, 'the file is at least 300 MB');
  const read = await readAll(settings);
  const rows = large.large!.rows;
  assert.equal(read.rows, baseline.rows + rows, 'every row of both files was read');
  assert.equal(read.lastRequestId, `LARGE${String(rows - 1).padStart(12, '0')}`, 'the last row is the file\'s last');
  const peakMb = read.maxRssKb / 1024;
  const baseMb = baseline.maxRssKb / 1024;
  testLog.info({ peakMb, baseMb, fileMb: FILE_BYTES / 1024 / 1024 }, 'large log file read');
  // Holding the file would take at least its 300 MB (twice that as a string); streaming adds a few pages of
  // rows and the garbage the collector has not taken yet (about 60 MB measured) to the baseline.
  assert.ok(peakMb < baseMb + 128, `peak memory ${peakMb.toFixed(0)} MB stays within 128 MB of the ${baseMb.toFixed(0)} MB baseline (file: 300 MB)`);
});
