/**
 * ClickHouse unavailable: the table folders of embedded ClickHouse made read-only for a while, so every
 * insert fails. Ingestion must go on into Kafka, the sink must show it is failing (`GET /v1/sink`) and
 * commit no offset meanwhile (nothing is stored), then store everything once when the folders are
 * writable again.
 */
import { createKafkaBus } from '../../core/kafka.js';
import type { SinkStats } from '../../processors/sink/sink.js';
import { addEvents, type CaseContext, type FaultCase } from './cases.js';
import { setReadOnly, tableFolder } from './storage.js';
import { poll, sleep } from './tenants.js';

interface SinkAnswer {
  state: SinkStats['state'];
  lastError: SinkStats['lastError'];
  lag: number | null;
}

export function clickhouseUnavailable(outageMs: number): FaultCase {
  const problems: string[] = [];
  return {
    name: `ClickHouse read-only ${Math.round(outageMs / 1000)} s`,
    async inject(ctx) {
      problems.length = 0;
      const folder = tableFolder(ctx.stack.configFile);
      const sink = () => ctx.stack.get<SinkAnswer>('/v1/sink').then((r) => r.body);
      setReadOnly(folder, true);
      try {
        addEvents(ctx.tenants, 5);
        if (!(await poll(async () => (await sink()).state === 'failing', 60_000))) problems.push('GET /v1/sink never showed the sink failing');
        const before = await committed(ctx);
        const lagBefore = (await sink()).lag ?? 0;
        addEvents(ctx.tenants, 5);
        await sleep(outageMs);
        const during = await sink();
        if (during.state !== 'failing' || !during.lastError) problems.push(`during the outage /v1/sink answered ${JSON.stringify(during)}`);
        // The connectors went on publishing: the sink's lag grew with the new events.
        if ((during.lag ?? 0) <= lagBefore) problems.push(`the sink's lag did not grow during the outage (${lagBefore} → ${during.lag}): ingestion stopped?`);
        const after = await committed(ctx);
        if (after !== before) problems.push(`offsets were committed while no insert succeeded: ${before} → ${after}`);
      } finally {
        setReadOnly(folder, false);
      }
    },
    async extra(ctx) {
      const ok = await poll(async () => (await ctx.stack.get<SinkAnswer>('/v1/sink')).body.state === 'ok', 60_000);
      return ok ? [...problems] : [...problems, 'GET /v1/sink still shows the sink failing after the outage'];
    },
  };
}

/** The sink group's committed offsets on the audit topic, as one comparable string. */
async function committed({ stack, broker }: CaseContext): Promise<string> {
  const bus = createKafkaBus({ brokers: broker.brokers, clientId: 'faults', prefix: stack.topicPrefix, partitions: 3, replicationFactor: 1, log: stack.log });
  try {
    const lag = await bus.fetchLag(`${stack.topicPrefix}-sink`, [bus.topics.audit]);
    return lag.map((p) => `${p.partition}:${p.committed}`).sort().join(',');
  } finally {
    await bus.disconnect();
  }
}
