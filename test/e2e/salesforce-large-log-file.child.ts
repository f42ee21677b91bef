/**
 * Reads every row of the log files a Salesforce simulator lists, as the connector's EventLogFile
 * stream does, and prints the row count and this process's peak memory (maxRSS, KB) as JSON.
 * Run by salesforce-large-log-file.test.ts: `node --import tsx <this> '<settings JSON>'`.
 */
import { instanceConfig } from '../../core/config.js';
import { silentLogger } from '../../core/logger.js';
import { createConnector } from '../../ingestors/runtime/connector-factory.js';
import { salesforce } from '../../ingestors/salesforce/index.js';

const settings = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const config = instanceConfig(salesforce.configSchema, settings, (salesforce.instanceDefaults ?? {}) as Record<string, unknown>);
const connector = createConnector(salesforce, 'large', config, silentLogger, new AbortController().signal);
const stream = connector.activityStreams.find((s) => s.name === 'event_log_files')!;
let rows = 0;
let lastRequestId = '';
const now = Date.now();
for await (const page of stream.read({ since: now - 3_600_000, until: now + 60_000 }, new AbortController().signal)) {
  rows += page.length;
  lastRequestId = String((page.at(-1) as Record<string, unknown>).REQUEST_ID);
}
process.stdout.write(`${JSON.stringify({ rows, lastRequestId, maxRssKb: process.resourceUsage().maxRSS })}\n`);
