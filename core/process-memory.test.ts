import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { embeddedClickHouseMemory } from './clickhouse-memory.js';
import { openEmbeddedClickHouse } from './clickhouse-chdb.js';
import { createLogger, silentLogger } from './logger.js';
import { startMemoryLog } from './process-memory.js';
import { freshDir } from '../test/support/fresh.js';

/** The first `process memory` line written to a logger of this test. */
async function firstLine(extra?: () => Promise<Record<string, number>>): Promise<Record<string, number>> {
  const out = new PassThrough();
  const stop = startMemoryLog({ log: createLogger({ level: 'info', destination: out }), everyMs: 20, ...(extra ? { extra } : {}) });
  // Its timers do not hold a process open; this one does while the test waits.
  const awake = setInterval(() => undefined, 1000);
  try {
    for await (const chunk of out) {
      const line = JSON.parse(String(chunk).split('\n')[0]!) as { msg: string; memory: Record<string, number> };
      if (line.msg === 'process memory') return line.memory;
    }
    throw new Error('no line');
  } finally {
    clearInterval(awake);
    stop();
  }
}

describe('process memory log', () => {
  test('a line tells the V8 heap from the rest of the resident memory', async () => {
    const memory = await firstLine();
    for (const figure of ['rssMb', 'heapLiveMb', 'heapUsedMb', 'heapTotalMb', 'externalMb', 'nativeMb']) assert.equal(typeof memory[figure], 'number', figure);
    assert.ok(memory.heapLiveMb! <= memory.heapUsedMb! && memory.heapUsedMb! <= memory.heapTotalMb!);
    assert.ok(memory.rssMb! > memory.heapLiveMb!);
    if (process.platform === 'linux') assert.ok(memory.rssAnonMb! > 0 && memory.rssFileMb! > 0 && memory.rssAnonMb! + memory.rssFileMb! <= memory.rssMb! + 1);
  });

  test('0 turns it off', () => {
    const out = new PassThrough();
    startMemoryLog({ log: createLogger({ level: 'info', destination: out }), everyMs: 0 })();
    assert.equal(out.read(), null);
  });

  test('embedded ClickHouse adds what its tracker and its allocator count', async () => {
    const ch = await openEmbeddedClickHouse({ dataDir: freshDir('appwarden-memory'), database: `aw_mem_${randomBytes(4).toString('hex')}`, log: silentLogger });
    try {
      const memory = await firstLine(() => embeddedClickHouseMemory(ch));
      assert.equal(typeof memory.chTrackedMb, 'number');
      assert.ok(memory.chResidentMb! >= memory.chAllocatedMb! && memory.chAllocatedMb! > 0, JSON.stringify(memory));
      assert.ok(memory.chActiveMb! >= memory.chAllocatedMb! && memory.chMetadataMb! > 0, JSON.stringify(memory));
      assert.equal(typeof memory.chMarkCacheMb, 'number');
    } finally {
      await ch.close();
    }
  });
});
