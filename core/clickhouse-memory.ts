import type { ClickHouse } from './clickhouse.js';

const MB = 1024 * 1024;
const CACHES = ['MarkCacheBytes', 'PrimaryIndexCacheBytes', 'UncompressedCacheBytes', 'QueryConditionCacheBytes', 'QueryCacheBytes'];

/**
 * The memory embedded ClickHouse accounts for in this process, in MB: what its tracker counts
 * (`MemoryTracking`), its caches, and its allocator's (jemalloc) allocated, active (in pages), metadata
 * and resident bytes.
 */
export async function embeddedClickHouseMemory(clickhouse: ClickHouse): Promise<Record<string, number>> {
  const rows = await clickhouse.query<{ metric: string; value: string | number }>(
    'SELECT metric, value FROM system.metrics WHERE metric IN {names:Array(String)}', { names: ['MemoryTracking', ...CACHES] },
  );
  const out: Record<string, number> = {};
  for (const { metric, value } of rows) {
    const name = metric === 'MemoryTracking' ? 'chTrackedMb' : `ch${metric.replace(/Bytes$/, '')}Mb`;
    out[name] = Math.round((Number(value) / MB) * 10) / 10;
  }
  const [stats] = await clickhouse.query<{ stats: string }>('SELECT stats FROM system.jemalloc_stats');
  // Resident − active − metadata: freed pages the allocator has not yet given back (dirty).
  const totals = /Allocated: (\d+), active: (\d+), metadata: (\d+).*?resident: (\d+)/.exec(stats?.stats ?? '');
  if (totals) {
    const [allocated, active, metadata, resident] = totals.slice(1).map((v) => Math.round((Number(v) / MB) * 10) / 10);
    Object.assign(out, { chAllocatedMb: allocated, chActiveMb: active, chMetadataMb: metadata, chResidentMb: resident });
  }
  return out;
}
