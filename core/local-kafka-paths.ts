import { join, resolve } from 'node:path';

/** Where the local broker keeps its files: its data folder, and the jars in the cache folder. */
export interface LocalKafkaPaths {
  dataDir: string;
  libsDir: string;
  pom: string;
  log4jConfig: string;
  serverProperties: string;
  pidFile: string;
  portFile: string;
  lockFile: string;
  brokerLog: string;
  logDirs: string;
  credentialsFile: string;
}

/** Defaults: data in `<projectRoot>/.data/kafka`, jars in `<projectRoot>/.cache/kafka/libs`. */
export function localKafkaPaths(options: { projectRoot: string; dataDir?: string; cacheDir?: string }): LocalKafkaPaths {
  const dataDir = resolve(options.dataDir ?? join(options.projectRoot, '.data', 'kafka'));
  const cacheDir = resolve(options.cacheDir ?? join(options.projectRoot, '.cache', 'kafka'));
  return {
    dataDir,
    libsDir: join(cacheDir, 'libs'),
    pom: join(options.projectRoot, 'scripts', 'kafka', 'pom.xml'),
    log4jConfig: join(options.projectRoot, 'scripts', 'kafka', 'log4j2.xml'),
    serverProperties: join(dataDir, 'server.properties'),
    pidFile: join(dataDir, 'broker.pid'),
    portFile: join(dataDir, 'broker.port'),
    lockFile: join(dataDir, 'start.lock'),
    brokerLog: join(dataDir, 'broker.log'),
    logDirs: join(dataDir, 'logs'),
    credentialsFile: join(dataDir, 'client-credentials.json'),
  };
}

