/**
 * Starts the Google Workspace simulator for manual use and prints its URLs and the service account:
 *   node --import tsx simulators/google-workspace/main.ts --port 8082 --users 50
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isAppwardenError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { GoogleWorkspaceSimulatorOptions } from './options.js';
import { startGoogleWorkspaceSimulator } from './simulator.js';
import { numberArg } from '../common/cli-args.js';

const USAGE = `usage: node --import tsx simulators/google-workspace/main.ts [options]
  --port N                 listen port (default 0: a free port)
  --host H                 listen address (default 127.0.0.1)
  --seed S                 data seed (default 1)
  --domain D               the tenant's domain (default example.com)
  --users N                users, the first being the super admin (default 20)
  --groups N               groups (default 4)
  --files-per-user N       My Drive files per active user (default 3)
  --shared-drives N        shared drives (default 2)
  --activities-per-day N   Reports API activities per day of history (default 500)
  --days N                 days of history (default 1)
  --lag-ms N               delay before any activity becomes visible (default 0)
  --rate-limit N           requests per window per API family (default 1200)
  --rate-window-ms N       rate-limit window (default 60000)
  --key-file F             write the generated service account private key (PEM) to F
  --log-level L            pino level (default info; debug logs every request)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, domain: { type: 'string' }, users: { type: 'string' },
      groups: { type: 'string' }, 'files-per-user': { type: 'string' }, 'shared-drives': { type: 'string' }, 'activities-per-day': { type: 'string' },
      days: { type: 'string' }, 'lag-ms': { type: 'string' }, 'rate-limit': { type: 'string' }, 'rate-window-ms': { type: 'string' },
      'key-file': { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = createLogger({ level: values['log-level'] ?? 'info', pretty: process.stdout.isTTY });
  const lag = numberArg(values, 'lag-ms');
  const options: GoogleWorkspaceSimulatorOptions = {
    port: numberArg(values, 'port'), host: values.host, seed: values.seed, domain: values.domain, users: numberArg(values, 'users'),
    groups: numberArg(values, 'groups'), filesPerUser: numberArg(values, 'files-per-user'), sharedDrives: numberArg(values, 'shared-drives'),
    activitiesPerDay: numberArg(values, 'activities-per-day'), days: numberArg(values, 'days'),
    lagMs: lag === undefined ? undefined : Object.fromEntries(['login', 'admin', 'drive', 'token', 'saml', 'groups', 'mobile'].map((a) => [a, lag])),
    rateLimit: { limit: numberArg(values, 'rate-limit'), windowMs: numberArg(values, 'rate-window-ms') },
    log,
  };
  const sim = await startGoogleWorkspaceSimulator(options);
  if (values['key-file'] && sim.privateKey) writeFileSync(values['key-file'], sim.privateKey, { mode: 0o600 });
  process.stdout.write(
    `Google Workspace simulator at ${sim.url}\n`
    + `connector settings: clientEmail ${sim.clientEmail}, adminEmail ${sim.adminEmail}, domain ${sim.domain},\n`
    + `  tokenUrl ${sim.tokenUrl}, adminBaseUrl ${sim.url}, driveBaseUrl ${sim.url}`
    + `${values['key-file'] ? `, privateKey from ${values['key-file']}` : ' (pass --key-file to get the private key)'}\n`,
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
