import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAppwardenError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { PinoPretty } from 'pino-pretty';
import {
  configuredKafkaBrokers,
  ensureLocalKafka,
  localKafkaOptionsFromEnv,
  localKafkaStatus,
  stopLocalKafka,
} from '../core/local-kafka.js';
import { ensureKafkaJars } from '../core/local-kafka-jars.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: appwarden kafka <command>
  start   start the local broker (unless one runs) and print its address
  stop    stop the local broker
  status  print whether the local broker runs
  fetch   fetch the broker's jars into the cache (done by start when needed)`;

/**
 * `appwarden kafka start|stop|status|fetch`: manages the local single-node broker. Prints results to
 * stdout, resolves with the process exit code.
 */
export async function kafkaCommand(args: string[], log: Logger): Promise<number> {
  const [command] = args;
  const env = process.env;
  const options = localKafkaOptionsFromEnv(env, projectRoot, log);
  try {
    switch (command) {
      case 'start': {
        const configured = configuredKafkaBrokers(env);
        if (configured) {
          process.stdout.write(`KAFKA_BROKERS is set (${configured.join(',')}); no local broker started\n`);
          return 0;
        }
        const kafka = await ensureLocalKafka(options);
        process.stdout.write(`${kafka.brokers.join(',')}\n`);
        return 0;
      }
      case 'stop': {
        const stopped = await stopLocalKafka(options);
        process.stdout.write(stopped ? 'stopped\n' : 'not running\n');
        return 0;
      }
      case 'status': {
        const status = await localKafkaStatus(options);
        process.stdout.write(status.running ? `running on ${status.brokers.join(',')}\n` : 'not running\n');
        return status.running ? 0 : 1;
      }
      case 'fetch': {
        process.stdout.write(`${await ensureKafkaJars(options)}\n`);
        return 0;
      }
      default:
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    if (!isAppwardenError(err)) throw err;
    process.stderr.write(`${err.code}: ${err.message}\n`);
    return 1;
  }
}

// Runnable on its own too (`node --import tsx scripts/kafka-cli.ts fetch`), as .ci/run does.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const log = createLogger({ destination: PinoPretty({ destination: 2, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss' }) });
  process.exitCode = await kafkaCommand(process.argv.slice(2), log);
}
