import { startAppwarden, type Role, type RunningAppwarden } from '../../cli/start.js';
import type { InstanceSettings } from './simulators.js';
import type { ClickHouse } from '../../core/clickhouse.js';
import type { Logger } from '../../core/logger.js';
import { ADMIN_HEADERS, testConfig, testLog } from './stack.js';

export interface TestStack extends RunningAppwarden {
  clickhouse: ClickHouse;
  /** GET on the API through `inject` with the admin key, parsed. */
  api<T = unknown>(url: string): Promise<{ status: number; body: T }>;
  /** Stored activities of an instance, with the table's de-duplication applied. */
  countActivities(instance: string): Promise<number>;
}


/** Runs Appwarden in this process against fresh topics and a fresh database. */
export async function startTestStack(
  connectors: Record<string, Record<string, InstanceSettings>>,
  roles?: readonly Role[],
  options: { log?: Logger } = {},
): Promise<TestStack> {
  const running = await startAppwarden({ config: testConfig(connectors), log: options.log ?? testLog, progressIntervalMs: 60_000, ...(roles ? { roles } : {}) });
  const clickhouse = running.clickhouse;
  if (!clickhouse || !running.app) throw new Error('the test stack needs the sink and the API');
  const app = running.app;
  return {
    ...running,
    clickhouse,
    async api<T>(url: string) {
      const res = await app.inject({ method: 'GET', url, headers: ADMIN_HEADERS });
      return { status: res.statusCode, body: res.json() as T };
    },
    async countActivities(instance: string) {
      const rows = await clickhouse.query<{ n: number }>('SELECT count() AS n FROM activities FINAL WHERE instance = {instance:String}', { instance });
      return rows[0]?.n ?? 0;
    },
  };
}
