/**
 * Starts the Okta simulator for manual use and prints its URL and token:
 *   node --import tsx simulators/okta/main.ts --port 8081 --users 50 --live
 */
import { parseArgs } from 'node:util';
import { isAppwardenError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { aliceLogin } from './directory.js';
import type { OktaSimulatorOptions } from './options.js';
import { startOktaSimulator } from './simulator.js';
import { numberArg } from '../common/cli-args.js';

const USAGE = `usage: node --import tsx simulators/okta/main.ts [options]
  --port N              listen port (default 0: a free port)
  --host H              listen address (default 127.0.0.1)
  --seed S              data seed (default 1)
  --token T             API token to accept (default derived from the seed)
  --users N             users (default 50)
  --groups N            groups besides Everyone (default 8)
  --events-per-day N    System Log events per day (default 2000)
  --days N              days of history (default 2)
  --domain D            users' email domain (default example.com)
  --rate-limit N        requests per window per endpoint family (default 600)
  --rate-window-ms N    rate-limit window (default 60000)
  --late-fraction F     fraction of events readable only later (default 0)
  --late-by-ms N        how much later (default 60000)
  --live                keep generating events as time passes
  --log-level L         pino level (default info; debug logs every request)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, token: { type: 'string' },
      users: { type: 'string' }, groups: { type: 'string' }, 'events-per-day': { type: 'string' }, days: { type: 'string' },
      domain: { type: 'string' }, 'rate-limit': { type: 'string' }, 'rate-window-ms': { type: 'string' },
      'late-fraction': { type: 'string' }, 'late-by-ms': { type: 'string' }, live: { type: 'boolean' },
      'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = createLogger({ level: values['log-level'] ?? 'info', pretty: process.stdout.isTTY });
  const options: OktaSimulatorOptions = {
    port: numberArg(values, 'port'),
    host: values.host,
    seed: values.seed,
    token: values.token,
    users: numberArg(values, 'users'),
    groups: numberArg(values, 'groups'),
    eventsPerDay: numberArg(values, 'events-per-day'),
    days: numberArg(values, 'days'),
    domain: values.domain,
    rateLimit: { limit: numberArg(values, 'rate-limit'), windowMs: numberArg(values, 'rate-window-ms') },
    lateFraction: numberArg(values, 'late-fraction'),
    lateByMs: numberArg(values, 'late-by-ms'),
    live: values.live ?? false,
    log,
  };
  const sim = await startOktaSimulator(options);
  const alice = aliceLogin(sim.options.domain);
  process.stdout.write(
    `Okta simulator at ${sim.url}\n` +
    `token: ${sim.token}\n` +
    `events: ${sim.eventsFor().length} in the System Log\n` +
    `try:   curl -H 'Authorization: SSWS ${sim.token}' '${sim.url}/api/v1/users/${alice}'\n`,
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
