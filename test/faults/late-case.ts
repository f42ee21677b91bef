/**
 * Events visible hours after their time, at the providers that document such latency (their connector's
 * `activities.latenessMs`): the lateness sweep must read them, once. Providers whose windows are minutes
 * are left out: an event later than every window of its connector is not read (the poller's tests prove both).
 */
import { providerDefaults } from '../../ingestors/registry.js';
import type { FaultCase } from './cases.js';

const HOUR = 3_600_000;

function latenessMs(provider: string): number {
  const activities = providerDefaults()[provider]?.activities as { latenessMs?: number } | undefined;
  return activities?.latenessMs ?? 0;
}

export function hoursLate(hours: number): FaultCase {
  return {
    name: `provider: events visible ${hours} h late (lateness sweep)`,
    async inject({ tenants }) {
      const covered = tenants.filter((t) => latenessMs(t.provider) > hours * HOUR);
      for (const t of covered) for (let i = 0; i < 2; i++) t.tenant.addActivity(hours * HOUR + i * 1000);
      process.stderr.write(`faults:   ${hours} h late events at ${covered.map((t) => t.provider).join(', ') || 'no provider'}\n`);
    },
  };
}
