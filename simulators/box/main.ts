/**
 * Starts the Box simulator for manual use and prints its URLs and app credentials:
 *   node --import tsx simulators/box/main.ts --port 8083 --users 20 --live
 */
import { parseArgs } from 'node:util';
import { isAppwardenError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { numberArg } from '../common/cli-args.js';
import { startBoxSimulator } from './simulator.js';

const USAGE = `usage: node --import tsx simulators/box/main.ts [options]
  --port N              listen port (default 0: a free port)
  --seed S              data seed (default 1)
  --users N             managed users (default 20)
  --groups N            groups (default 4)
  --events-per-day N    enterprise events per day (default 1000)
  --days N              days of history (default 2)
  --domain D            users' email domain (default example.com)
  --live                keep generating events as time passes
  --log-level L         pino level (default info)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' }, groups: { type: 'string' },
      'events-per-day': { type: 'string' }, days: { type: 'string' }, domain: { type: 'string' }, live: { type: 'boolean' },
      'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = createLogger({ level: values['log-level'] ?? 'info', pretty: process.stdout.isTTY });
  const sim = await startBoxSimulator({
    port: numberArg(values, 'port'), seed: values.seed, users: numberArg(values, 'users'), groups: numberArg(values, 'groups'),
    eventsPerDay: numberArg(values, 'events-per-day'), days: numberArg(values, 'days'), domain: values.domain, live: values.live ?? false, log,
  });
  process.stdout.write(
    `Box simulator at ${sim.apiUrl} (token URL ${sim.tokenUrl})\n` +
    `client id: ${sim.clientId}\nenterprise id: ${sim.enterpriseId}\n` +
    `try: curl -d grant_type=client_credentials -d client_id=${sim.clientId} -d client_secret=<the secret> -d box_subject_type=enterprise -d box_subject_id=${sim.enterpriseId} ${sim.tokenUrl}\n`,
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
