import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { ensureTables } from '../../processors/sink/catalogue/ensure.js';
import { testAuth, type TestAuth } from './auth.js';
import { freshName } from './fresh.js';
import { testDataDir, testLog } from './stack.js';

export interface TestApi {
  clickhouse: ClickHouse;
  auth: TestAuth;
  app: FastifyInstance;
  stop(): Promise<void>;
}

/** The API over a fresh database of embedded ClickHouse (every table made), with a key of each role. */
export async function startTestApi(name: string, options: { maxPageSize?: number } = {}): Promise<TestApi> {
  const clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName(name).replace(/-/g, '_'), log: testLog });
  await ensureTables(clickhouse);
  const auth = await testAuth();
  const app = await buildApp({ clickhouse, log: testLog, maxPageSize: options.maxPageSize ?? 100, security: auth.security, bus: auth.bus });
  return {
    clickhouse, auth, app,
    async stop() {
      await app.close();
      await auth.stop();
      await clickhouse.close();
    },
  };
}
