/**
 * Poison records at every tenant whose fixture can serve them: oversized (over the Kafka message limit
 * once normalized), a wrong type (a field that must be a string is an object or a number) and an unknown
 * field. The first two must end in the dead-letter topic with their reason, the third be stored as any
 * record (providers add fields; a tolerant reader keeps them in `raw`); the stream goes on meanwhile.
 * Salesforce and ServiceNow have no such fixture: their connectors name the fields they read (SOQL's
 * SELECT, `sysparm_fields`), so an unknown or padded field never arrives, and each field's type is
 * fixed by the object's schema (ServiceNow sends every value as a string); their malformed records
 * are covered by the case `poison: malformed records`.
 */
import { randomUUID } from 'node:crypto';
import { createKafkaBus } from '../../core/kafka.js';
import type { DeadLetter } from '../../ingestors/runtime/dead-letter.js';
import type { PoisonKind } from '../contract/fixture.js';
import { eventIds } from '../contract/support.js';
import { addEvents, type CaseContext, type FaultCase } from './cases.js';
import { INSTANCE, NOT_EXPECTED, poll } from './tenants.js';

interface Planted { provider: string; kind: PoisonKind; marker: string; field?: string }

export function poisonRecords(): FaultCase {
  const planted: Planted[] = [];
  return {
    name: 'poison: oversized, wrong type, unknown field',
    async inject({ tenants }) {
      for (const t of tenants) {
        if (!t.tenant.addPoison) continue;
        for (const kind of ['oversized', 'wrong_type', 'unknown_field'] as const) {
          const marker = randomUUID();
          const { raw, field } = t.tenant.addPoison(kind, marker);
          if (kind === 'oversized') {
            const ids = eventIds(t.definition, [raw], INSTANCE);
            NOT_EXPECTED.set(t.provider, new Set([...(NOT_EXPECTED.get(t.provider) ?? []), ...ids]));
          }
          planted.push({ provider: t.provider, kind, marker, ...(field ? { field } : {}) });
        }
      }
      process.stderr.write(`faults:   poison records at ${[...new Set(planted.map((p) => p.provider))].join(', ')}\n`);
      addEvents(tenants, 3);
    },
    async extra(ctx) {
      let problems: string[] = [];
      await poll(async () => {
        problems = check(planted, await deadLetters(ctx));
        return problems.length === 0;
      }, 60_000, 3000);
      return problems;
    },
  };
}

function check(planted: readonly Planted[], letters: readonly DeadLetter[]): string[] {
  const problems: string[] = [];
  for (const p of planted) {
    const found = letters.filter((l) => l.provider === p.provider && l.raw.includes(p.marker));
    if (p.kind === 'unknown_field') {
      if (found.length > 0) problems.push(`${p.provider}: a record with an unknown field was dead-lettered (${found[0]!.reason})`);
      continue;
    }
    if (found.length !== 1) {
      problems.push(`${p.provider}: the ${p.kind} record is in the dead-letter topic ${found.length} times, not once`);
      continue;
    }
    const letter = found[0]!;
    if (p.kind === 'oversized' && (letter.code !== 'AW_RECORD_TOO_LARGE' || !letter.rawTruncated)) problems.push(`${p.provider}: oversized record dead-lettered as ${letter.code}: ${letter.reason}`);
    const named = p.field?.split(/[.[\]]/)[0];
    if (p.kind === 'wrong_type' && (letter.code !== 'AW_NORMALIZE_FAILED' || (named && !`${letter.field} ${letter.reason}`.includes(named)))) {
      problems.push(`${p.provider}: the wrong-typed record's dead letter does not name ${p.field}: ${letter.code} ${letter.field}: ${letter.reason}`);
    }
  }
  return problems;
}

async function deadLetters({ stack, broker }: CaseContext): Promise<DeadLetter[]> {
  const bus = createKafkaBus({ brokers: broker.brokers, clientId: 'faults', prefix: stack.topicPrefix, partitions: 3, replicationFactor: 1, log: stack.log });
  try {
    const records = await bus.readCompactedTopic(bus.topics.deadLetter, { timeoutMs: 30_000 });
    return records.flatMap((r) => {
      try {
        return [JSON.parse(r.value?.toString() ?? '') as DeadLetter];
      } catch {
        return [];
      }
    });
  } finally {
    await bus.disconnect();
  }
}
