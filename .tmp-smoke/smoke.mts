import { startSalesforceSimulator } from '../simulators/salesforce/index.js';
import { createConnector } from '../ingestors/runtime/connector-factory.js';
import { salesforce } from '../ingestors/salesforce/index.js';
import { simulatorConfig } from '../test/support/simulators.js';
import { silentLogger } from '../core/logger.js';
const sim = await startSalesforceSimulator({ seed: 's', users: 8, groups: 2, files: 6, loginsPerDay: 100, setupPerDay: 10, activityPerDay: 200, days: 1, batchSize: 50 });
const config = simulatorConfig('salesforce', sim as any);
const c = createConnector(salesforce, 'main', config, silentLogger, new AbortController().signal);
console.log(await c.checkCredentials());
const now = Date.now();
for (const s of c.activityStreams) {
  let n = 0; let bad = 0;
  for await (const page of s.read({ since: now - 3 * 86400000, until: now }, new AbortController().signal)) {
    n += page.length;
    for (const r of page) { try { salesforce.normalizeActivity(r, { instance: 'x', ingestedAt: 0 }); } catch (e) { bad++; if (bad < 3) console.log(String(e), JSON.stringify(r).slice(0, 200)); } }
  }
  console.log(s.name, n, 'bad', bad);
}
for (const s of c.snapshotStreams) {
  const kinds: Record<string, number> = {};
  for await (const page of s.read(new AbortController().signal)) for (const i of page.items) { kinds[i.kind] = (kinds[i.kind] ?? 0) + 1; (s.kinds as any)[i.kind](i.raw, { instance: 'x', observedAt: now }); }
  console.log(s.name, kinds);
}
console.log(sim.apiUsage, sim.issued);
await sim.close();
