/**
 * Where the embedded engine's insert time goes: the CPU per row of inserting the same RowBinary rows
 * into `activities` as the product creates it, then with one cost taken away at a time (the side
 * tables' materialized views, ZSTD on `raw`, the deduplication window, the skipping indexes). Merges
 * are stopped while measuring, so the figure is the insert's own work. CPU is the process's (the
 * engine's threads included), so the bench runs nothing else meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openClickHouse } from '../core/clickhouse.js';
import type { Logger } from '../core/logger.js';
import { RowBlock } from '../core/row-block.js';
import { ACTIVITIES } from '../processors/sink/catalogue/index.js';
import { ensureTables } from '../processors/sink/tables.js';
import type { AuditEvent } from '../schemas/types.js';
import type { Out } from './stages.js';
import { processCpuMs } from './thread-cpu.js';

export async function engineCostStage(events: readonly AuditEvent[], log: Logger, out: Out): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'appwarden-engine-cost-'));
  const ch = await openClickHouse({ dataDir, database: 'engine_cost', log });
  try {
    await ensureTables(ch);
    await ch.exec('SYSTEM STOP MERGES activities');
    const block = new RowBlock(ACTIVITIES, 1 << 26);
    for (const e of events) block.add(e as never);
    let round = 0;
    const perRow = async () => {
      let best = Infinity;
      for (let i = 0; i < 2; i++) {
        const c = processCpuMs();
        await ch.insertBlock(ACTIVITIES.name, block as RowBlock<unknown>, { dedupToken: `engine-cost-${round++}` });
        best = Math.min(best, ((processCpuMs() - c) * 1000) / events.length);
      }
      return best;
    };
    const steps: Array<[string, string[]]> = [
      ['as created', []],
      ['without the subjects view', ['DROP VIEW activity_subjects_mv']],
      ['and without the versions view', ['DROP VIEW activity_versions_mv']],
      ['and raw in LZ4, not ZSTD(3)', ['ALTER TABLE activities MODIFY COLUMN raw String CODEC(LZ4)']],
      ['and no deduplication window', ['ALTER TABLE activities MODIFY SETTING non_replicated_deduplication_window = 0']],
    ];
    const parts: string[] = [];
    for (const [name, sql] of steps) {
      // Emptied first: with merges stopped, a change that rewrites parts would wait for ever.
      await ch.exec('TRUNCATE TABLE activities');
      for (const s of sql) await ch.exec(s);
      parts.push(`${name} ${(await perRow()).toFixed(1)}`);
    }
    const indexes = await ch.query<{ name: string }>("SELECT name FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = 'activities'");
    await ch.exec('TRUNCATE TABLE activities');
    for (const i of indexes) await ch.exec(`ALTER TABLE activities DROP INDEX ${i.name}`);
    parts.push(`and no skipping indexes ${(await perRow()).toFixed(1)}`);
    out(`  the engine's CPU per row inserted (µs, ${events.length.toLocaleString('en-US')} rows of ~${Math.round(block.bytes() / events.length)} bytes, merges stopped, best of 2): ${parts.join('; ')}`);
  } finally {
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  await mergeCost(events, log, out);
}

/**
 * The CPU per row of merging what the sink wrote: the rows inserted as four parts (skip indexes left to the
 * merges, as the sink inserts), then merged into one by OPTIMIZE FINAL; as created, and without the raw
 * words' text index (the costliest index to build).
 */
async function mergeCost(events: readonly AuditEvent[], log: Logger, out: Out): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'appwarden-merge-cost-'));
  const ch = await openClickHouse({ dataDir, database: 'merge_cost', log });
  try {
    await ensureTables(ch);
    const quarter = Math.ceil(events.length / 4);
    const blocks = [0, 1, 2, 3].map((q) => {
      const block = new RowBlock(ACTIVITIES, 1 << 26);
      for (const e of events.slice(q * quarter, (q + 1) * quarter)) block.add(e as never);
      return block as RowBlock<unknown>;
    });
    let round = 0;
    // Best of 2: the side tables' own merges, in the same process, can land in a measurement.
    const perRow = async (name: string) => {
      let best = Infinity;
      for (let r = 0; r < 2; r++) {
        await ch.exec('TRUNCATE TABLE activities');
        await ch.exec('SYSTEM STOP MERGES activities');
        for (const block of blocks) await ch.insertBlock(ACTIVITIES.name, block, { dedupToken: `merge-cost-${round++}` });
        await ch.exec('SYSTEM START MERGES activities');
        const c = processCpuMs();
        await ch.exec('OPTIMIZE TABLE activities FINAL');
        best = Math.min(best, ((processCpuMs() - c) * 1000) / events.length);
      }
      return `${name} ${best.toFixed(1)}`;
    };
    const parts = [await perRow('as created')];
    await ch.exec('ALTER TABLE activities DROP INDEX idx_raw_words');
    parts.push(await perRow('without the raw words index'));
    out(`  the engine's CPU per row merged (µs, four parts into one by OPTIMIZE FINAL, best of 2): ${parts.join('; ')}`);
  } finally {
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
