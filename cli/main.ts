import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isAppwardenError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { activityNormalizers } from '../ingestors/registry.js';
import { runNormalize } from './normalize.js';

const USAGE = `usage: appwarden <command>

commands:
  start [--roles connectors,sink,api] run Appwarden end to end (local Kafka, embedded ClickHouse,
                                      simulated tenants unless connectors are configured); --roles
                                      runs only some parts, to scale out over processes
  normalize --provider P [--instance I] < raw.jsonl
                                      normalize raw provider records (one JSON a line) to events
  policy test FILES...                run the inline tests of policy files (folders expand)
  policy validate FILES...            check policy files; problems as file:line: field: message
  keys create --name N --role R [--raw]  make an API key (shown once); roles: analyst, policy-author,
                                      responder, admin
  keys list | keys revoke KEY_ID      list the API keys (never the keys themselves); revoke one
  kafka start|stop|status             manage the local Kafka broker
  deadletter replay --since TIME --provider P [--instance I] [--dry-run]
                                      replay the dead-letter topic's activity records (after a fix);
                                      each event is stored once
`;

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The `appwarden` command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'start': {
        const { runStart } = await import('./start-command.js');
        return await runStart(args, process.env);
      }
      case 'normalize': {
        const normalizers = activityNormalizers();
        return await runNormalize(args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, normalizers);
      }
      case 'policy': {
        const { runPolicyCommand } = await import('./policy.js');
        return await runPolicyCommand(args, { stdout: process.stdout, stderr: process.stderr });
      }
      case 'keys': {
        const { runKeysCommand, connectKafka } = await import('./keys-kafka.js');
        const log = createLogger({ pretty: process.stderr.isTTY, level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
        return await runKeysCommand(args, { stdout: process.stdout, stderr: process.stderr }, () => connectKafka(process.env, log), log);
      }
      case 'deadletter': {
        const { runDeadLetterCommand } = await import('./deadletter.js');
        const { connectKafka } = await import('./keys-kafka.js');
        const log = createLogger({ pretty: process.stderr.isTTY, level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
        return await runDeadLetterCommand(args, { stdout: process.stdout, stderr: process.stderr }, () => connectKafka(process.env, log), activityNormalizers(), log);
      }
      case 'kafka': {
        const { kafkaCommand } = await import('../scripts/kafka-cli.js');
        return await kafkaCommand(args, createLogger({ pretty: process.stdout.isTTY }));
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`appwarden: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`appwarden ${command}: ${isAppwardenError(err) ? `${err.code}: ${err.message}` : (err as Error).stack}\n`);
    return 1;
  }
}
