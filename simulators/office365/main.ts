/**
 * Starts the Office 365 simulator for manual use and prints its URL and credentials:
 *   node --import tsx simulators/office365/main.ts --port 8082 --users 50
 */
import { parseArgs } from 'node:util';
import { isAppwardenError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { Office365SimulatorOptions } from './options.js';
import { startOffice365Simulator } from './simulator.js';
import { numberArg } from '../common/cli-args.js';

const USAGE = `usage: node --import tsx simulators/office365/main.ts [options]
  --port N              listen port (default 0: a free port)
  --host H              listen address (default 127.0.0.1)
  --seed S              data seed (default 1)
  --users N             users (default 20)
  --groups N            groups (default 5)
  --sites N             SharePoint sites (default 2)
  --items-per-drive N   files and folders per drive (default 6)
  --events-per-day N    audit records per day (default 500)
  --days N              days of audit history, at most 7 (default 1)
  --content-delay-ms N  how long after its interval a blob becomes available (default 0)
  --late-fraction F     fraction of blobs listable only later (default 0)
  --late-by-ms N        how much later (default 1800000)
  --rate-limit N        requests per window per API before throttling (default 2000)
  --log-level L         pino level (default info; debug logs every request)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' }, groups: { type: 'string' },
      sites: { type: 'string' }, 'items-per-drive': { type: 'string' }, 'events-per-day': { type: 'string' }, days: { type: 'string' },
      'content-delay-ms': { type: 'string' }, 'late-fraction': { type: 'string' }, 'late-by-ms': { type: 'string' },
      'rate-limit': { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = createLogger({ level: values['log-level'] ?? 'info', pretty: process.stdout.isTTY });
  const options: Office365SimulatorOptions = {
    port: numberArg(values, 'port'),
    host: values.host,
    seed: values.seed,
    users: numberArg(values, 'users'),
    groups: numberArg(values, 'groups'),
    sites: numberArg(values, 'sites'),
    itemsPerDrive: numberArg(values, 'items-per-drive'),
    eventsPerDay: numberArg(values, 'events-per-day'),
    days: numberArg(values, 'days'),
    contentDelayMs: numberArg(values, 'content-delay-ms'),
    lateFraction: numberArg(values, 'late-fraction'),
    lateByMs: numberArg(values, 'late-by-ms'),
    rateLimit: { limit: numberArg(values, 'rate-limit') },
    log,
  };
  const sim = await startOffice365Simulator(options);
  process.stdout.write(
    `Office 365 simulator at ${sim.url} (login, Graph and Management API)\n` +
    `tenantId: ${sim.tenantId}\nclientId: ${sim.clientId}\nclientSecret: ${sim.clientSecret}\n` +
    `try:   TOKEN=$(curl -s -d grant_type=client_credentials -d client_id=${sim.clientId} -d 'client_secret=${sim.clientSecret}' ` +
    `-d scope=https://graph.microsoft.com/.default ${sim.url}/${sim.tenantId}/oauth2/v2.0/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')\n` +
    `       curl -H "Authorization: Bearer $TOKEN" '${sim.url}/v1.0/users?$top=5'\n`,
  );
  const stop = () => {
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${isAppwardenError(err) ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
