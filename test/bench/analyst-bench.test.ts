import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAnalystBench } from '../../bench/analyst-run.js';
import { freshName, testBrokers } from '../support/fresh.js';
import { testDataDir, testLog } from '../support/stack.js';

// The analyst benchmark's code path over a few rows: the data it makes is what the API's filters find,
// and its exports stream every stored row. No timing is checked (tests never assert timings).
test('the analyst bench stores its activities and every query finds what it asks about', async () => {
  const lines: string[] = [];
  const rows = 20_000;
  const result = await runAnalystBench({
    rows, reps: 2, days: 7, users: 300, files: 2000, exportDays: 7,
    dataDir: testDataDir(), database: freshName('analyst_bench'), warm: true, brokers: testBrokers(), log: testLog, out: (l) => lines.push(l),
  });
  testLog.debug({ lines }, 'analyst bench output');
  assert.equal(result.stored, rows);
  // Sampled people, addresses and files come from the stored rows, so each filter finds at least one row.
  // Free text is left out: a person's name is in the raw record only when the provider's record carries it.
  const answered = result.queries.filter((q) => !q.name.includes('free text'));
  assert.ok(answered.length >= 10, `the bench runs the common queries: ${result.queries.map((q) => q.name).join(', ')}`);
  for (const q of answered) assert.ok(q.rows >= 1, `${q.name} found nothing`);
  for (const q of result.queries) assert.equal(q.failed, undefined, `${q.name} failed`);
  assert.equal(result.firstView?.data.rows, 100, "the console's first page is full over the last day");
  for (const e of result.exports) {
    assert.ok(e.expected > 0);
    assert.equal(e.rows, e.expected, `the ${e.format} export streams every stored row of the range`);
  }
  assert.ok(lines.some((l) => l.startsWith('Analyst queries through the API')), 'the table is printed');
});
