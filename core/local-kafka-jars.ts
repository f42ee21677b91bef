import { createHash } from 'node:crypto';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppwardenError } from './errors.js';
import { localKafkaPaths } from './local-kafka-paths.js';
import { run, tail } from './local-process.js';
import type { Logger } from './logger.js';

/**
 * Copies the broker's jars from Maven Central into the cache, unless the jars of the same pom are
 * already there.
 */
export async function ensureKafkaJars(options: { projectRoot: string; cacheDir?: string; log: Logger }): Promise<string> {
  const paths = localKafkaPaths(options);
  const log = options.log.child({ component: 'local-kafka' });
  const pomHash = createHash('sha256').update(await readFile(paths.pom)).digest('hex');
  const marker = join(paths.libsDir, '.fetched');
  if ((await readFile(marker, 'utf8').catch(() => '')).trim() === pomHash) return paths.libsDir;

  log.info({ libsDir: paths.libsDir }, 'fetching Kafka jars (first run only)');
  const started = Date.now();
  const staging = `${paths.libsDir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const result = await run('mvn', [
    '-q', '-B', '-Dstyle.color=never', '-f', paths.pom, 'dependency:copy-dependencies',
    '-DincludeScope=runtime', `-DoutputDirectory=${staging}`,
  ]);
  if (result.code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new AppwardenError('AW_LOCAL_STACK_FAILED', `fetching the Kafka jars with Maven failed (exit ${result.code}; Maven and Java 17+ must be installed):\n${tail(result.output, 40)}`, {
      details: { pom: paths.pom },
    });
  }
  await writeFile(join(staging, '.fetched'), `${pomHash}\n`);
  await rm(paths.libsDir, { recursive: true, force: true });
  try {
    await rename(staging, paths.libsDir);
  } catch (err) {
    // Another data folder sharing this cache finished the same fetch first: keep its copy.
    await rm(staging, { recursive: true, force: true });
    if ((await readFile(marker, 'utf8').catch(() => '')).trim() !== pomHash) throw err;
  }
  const jars = (await readdir(paths.libsDir)).filter((f) => f.endsWith('.jar')).length;
  log.info({ jars, ms: Date.now() - started }, 'fetched Kafka jars');
  return paths.libsDir;
}
