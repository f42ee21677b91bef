import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openClickHouse, type RecordEncoder } from './clickhouse.js';
import { RowBlock } from './row-block.js';
import { freshName } from '../test/support/fresh.js';
import { testDataDir, testLog } from '../test/support/stack.js';

interface Row { id: number; text: string }

// A plain table: a plain non-negative id and a text, in RowBinary.
const ROWS: RecordEncoder<Row> = {
  insertColumns: ['id', 'text'],
  writeRowBinary(w, r) {
    if (!Number.isInteger(r.id) || r.id < 0) throw new Error(`bad id ${r.id}`);
    w.uint(r.id, 4);
    w.string(r.text);
  },
  toJsonRow: (r) => ({ ...r }),
};

const ch = await openClickHouse({ dataDir: testDataDir(), database: freshName('rowblock'), log: testLog });
after(() => ch.close());
await ch.exec('CREATE TABLE t (id UInt32, text String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 1000');

test('a record that cannot be encoded leaves the block as it was; the others are stored', async () => {
  const block = new RowBlock(ROWS);
  block.add({ id: 1, text: 'one' });
  assert.throws(() => block.add({ id: -1, text: 'bad' }), /bad id/);
  block.add({ id: 2, text: 'two' });
  assert.equal(block.rows, 2);
  await ch.exec('TRUNCATE TABLE t');
  await ch.insertBlock('t', block as RowBlock<unknown>, { dedupToken: 'rollback' });
  assert.deepEqual(await ch.query('SELECT id, text FROM t ORDER BY id'), [{ id: 1, text: 'one' }, { id: 2, text: 'two' }]);
});

test('a block of several chunks, appended from batches, is stored whole, and once when the same block is inserted again', async () => {
  await ch.exec('TRUNCATE TABLE t');
  const text = 'x'.repeat(1000);
  const block = new RowBlock(ROWS, 4096, 64 * 1024);
  for (let batch = 0; batch < 10; batch++) {
    const rows = new RowBlock(ROWS, 4096, 64 * 1024);
    for (let i = 0; i < 50; i++) rows.add({ id: batch * 50 + i, text });
    block.append(rows);
  }
  assert.equal(block.rows, 500);
  assert.ok(block.chunks.length > 1, 'several chunks');
  assert.equal(block.chunkRows.reduce((a, b) => a + b, 0), 500);
  await ch.insertBlock('t', block as RowBlock<unknown>, { dedupToken: 'chunks' });
  await ch.insertBlock('t', block as RowBlock<unknown>, { dedupToken: 'chunks' });
  assert.deepEqual(await ch.query('SELECT count() AS n, uniqExact(id) AS ids, min(length(text)) AS len FROM t'), [{ n: 500, ids: 500, len: 1000 }]);
});
