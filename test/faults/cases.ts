/**
 * The fault cases. Each injects one fault into the running pipeline while new events arrive at every
 * tenant, then lets it recover; the runner then checks, through the API, that every event the tenants
 * serve is stored exactly once. A case may add checks of its own (`extra`), which fail it too.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createKafkaBus } from '../../core/kafka.js';
import type { FaultSpec } from '../../simulators/common/faults.js';
import { eventIds } from '../contract/support.js';
import { clickhouseUnavailable } from './clickhouse-case.js';
import { hoursLate } from './late-case.js';
import { poisonRecords } from './poison-cases.js';
import type { FaultBroker, FaultStack, ProcessName } from './stack.js';
import { ROOT } from './stack.js';
import { EXTRA_EXPECTED, INSTANCE, poll, sleep, storedIds, type Tenant } from './tenants.js';

export interface CaseContext {
  stack: FaultStack;
  broker: FaultBroker;
  tenants: readonly Tenant[];
}

export interface FaultCase {
  name: string;
  /** Injects the fault; resolves when the fault is over (recovery time is measured from then). */
  inject(ctx: CaseContext): Promise<void>;
  /** Problems found by the case's own checks (empty: none), after every event is stored. */
  extra?(ctx: CaseContext): Promise<string[]>;
}

/** New events at every tenant, `agoMs` old (negative: dated in the future, as a provider clock running ahead). */
export function addEvents(tenants: readonly Tenant[], count: number, agoMs = 0): void {
  for (const t of tenants) for (let i = 0; i < count; i++) t.tenant.addActivity(agoMs + i * 1000);
}

function killRole(name: ProcessName, how: 'SIGKILL' | 'SIGTERM'): FaultCase {
  return {
    name: `${how} ${name === 'store' ? 'sink+api' : name}, restart`,
    async inject({ stack, tenants }) {
      addEvents(tenants, 5);
      await sleep(1500);
      await stack.kill(name, how);
      addEvents(tenants, 5);
      await sleep(1000);
      await stack.restart(name);
    },
  };
}

function brokerDown(how: 'SIGTERM' | 'SIGKILL', downMs: number): FaultCase {
  return {
    name: `broker ${how === 'SIGTERM' ? 'stopped' : 'SIGKILLed'} ${Math.round(downMs / 1000)} s, restarted`,
    async inject({ broker, tenants }) {
      addEvents(tenants, 5);
      await sleep(1000);
      await broker.stop(how);
      addEvents(tenants, 5);
      await sleep(downMs);
      await broker.start();
    },
  };
}

/**
 * `unmatchedAfterMs`: how long a fault some simulators' requests may never match stays armed (default 60 s).
 * `reachAll`: the case fails unless every provider's simulator injected it (its output lists the counts), and
 * `burst` events dated 5 to 9 min ago (inside every poll's 10 min trailing window, out of it minutes later)
 * make each poll's window span pages, at the providers whose polls otherwise fit one.
 */
function providerFault(name: string, specs: FaultSpec[], unmatchedAfterMs = 60_000, reachAll?: { burst: number }): FaultCase {
  const injectedBefore = new Map<string, number>();
  const injected = (t: Tenant) => t.faults.reduce((n, f) => n + specs.reduce((m, spec) => m + f.injected[spec.kind], 0), 0);
  return {
    name: `provider: ${name}`,
    async inject({ tenants }) {
      for (const t of tenants) injectedBefore.set(t.provider, injected(t));
      for (const t of tenants) for (const f of t.faults) for (const spec of specs) f.arm(spec);
      addEvents(tenants, 5);
      if (reachAll) addEvents(tenants, reachAll.burst, 5 * 60_000);
      // Over when every simulator served its faults (or the time passed: a fault no request matched is cleared).
      await poll(() => tenants.every((t) => t.faults.every((f) => f.pending() === 0)), unmatchedAfterMs);
      for (const t of tenants) for (const f of t.faults) f.clear();
      const counts = tenants.map((t) => `${t.provider} ${injected(t) - (injectedBefore.get(t.provider) ?? 0)}`);
      process.stderr.write(`faults:   injected: ${counts.join(', ')}\n`);
    },
    ...(reachAll ? {
      async extra({ tenants }: CaseContext) {
        return tenants.filter((t) => injected(t) === (injectedBefore.get(t.provider) ?? 0)).map((t) => `${t.provider}: no request matched the fault`);
      },
    } : {}),
  };
}

const throttleStorm: FaultCase = {
  name: 'provider: 429 storm',
  async inject({ tenants }) {
    const before = tenants.map((t) => t.tenant.throttled());
    for (const t of tenants) t.tenant.throttle(8);
    addEvents(tenants, 5);
    await poll(() => tenants.every((t, i) => t.tenant.throttled() >= before[i]! + 8), 90_000);
  },
};

/**
 * A provider clock ahead of ours: its events carry times the polls' windows (which end at our now) reach
 * only later, so the case lasts at least the skew. 30 s is 30 polls: the events sit at the provider,
 * unread, across many polls and cursor saves (the path 2 min took, in a quarter of the time). Behind:
 * times the cursor has passed, found by the trailing re-read.
 */
const clockSkew: FaultCase = {
  name: 'provider: clock 30 s ahead, 2 min behind',
  async inject({ tenants }) {
    addEvents(tenants, 2, -30_000);
    addEvents(tenants, 2, 2 * 60_000);
  },
};

function lateEvents(agoMs: number): FaultCase {
  return {
    name: `provider: events visible ${Math.round(agoMs / 60_000)} min late`,
    async inject({ tenants }) {
      addEvents(tenants, 2, agoMs);
    },
  };
}

const poison: FaultCase = {
  name: 'poison: malformed records',
  async inject({ tenants }) {
    for (const t of tenants) t.tenant.addMalformed();
    addEvents(tenants, 3);
  },
  async extra({ stack, tenants }) {
    const problems: string[] = [];
    const ok = await poll(async () => {
      const res = await stack.get<{ items: Array<{ provider: string; instance: string; streams: Array<{ deadLettered: number }> }> }>('/v1/connectors');
      problems.length = 0;
      for (const t of tenants) {
        const item = res.body.items.find((i) => i.provider === t.provider && i.instance === INSTANCE);
        const letters = item?.streams.reduce((n, s) => n + s.deadLettered, 0) ?? 0;
        if (letters < 1) problems.push(`${t.provider}: no dead letter counted in /v1/connectors`);
      }
      return problems.length === 0;
    }, 60_000, 2000);
    return ok ? [] : problems;
  },
};

/**
 * Dead letters replayed after a fix: an Okta record an earlier version dead-lettered (twice, as across a
 * restart), which the connector will not read again, is stored once by `appwarden deadletter replay`,
 * run twice; twelve malformed records mark the stream degraded in /v1/connectors.
 */
const deadLetterReplay: FaultCase = {
  name: 'dead letters: degraded, replayed once',
  async inject({ stack, broker, tenants }) {
    const okta = tenants.find((t) => t.provider === 'okta');
    if (!okta) return;
    for (let i = 0; i < 12; i++) okta.tenant.addMalformed();
    const base = okta.tenant.expectedActivities()[0] as Record<string, unknown>;
    const raw = { ...base, uuid: randomUUID(), published: new Date().toISOString() };
    const [id] = eventIds(okta.definition, [raw], INSTANCE);
    EXTRA_EXPECTED.set('okta', new Set([...(EXTRA_EXPECTED.get('okta') ?? []), id!]));
    const bus = createKafkaBus({ brokers: broker.brokers, clientId: 'faults', prefix: stack.topicPrefix, partitions: 3, replicationFactor: 1, log: stack.log });
    try {
      const letter = { at: new Date().toISOString(), stage: 'normalize', code: 'AW_NORMALIZE_FAILED', reason: 'published: a bug since fixed', field: 'published', provider: 'okta', instance: INSTANCE, stream: 'system_log', raw: JSON.stringify(raw) };
      await bus.send(bus.topics.deadLetter, [0, 1].map(() => ({ key: null, value: Buffer.from(JSON.stringify(letter)) })));
    } finally {
      await bus.disconnect();
    }
    for (let run = 0; run < 2; run++) {
      const out = spawnSync(process.execPath, [path.join(ROOT, 'bin/appwarden.mjs'), 'deadletter', 'replay', '--since', '1h', '--provider', 'okta'], {
        cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: '', APPWARDEN_CONFIG: stack.configFile, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 180_000,
      });
      if (out.status !== 0) throw new Error(`deadletter replay exited ${out.status}: ${out.stderr}`);
    }
  },
  async extra({ stack, tenants }) {
    const problems: string[] = [];
    const id = [...(EXTRA_EXPECTED.get('okta') ?? [])].at(-1);
    if (id && (await storedIds(stack, 'okta')).filter((x) => x === id).length !== 1) problems.push('the replayed event is not stored exactly once');
    const degraded = await poll(async () => {
      const res = await stack.get<{ items: Array<{ provider: string; health?: string; streams: Array<{ degraded?: boolean }> }> }>('/v1/connectors');
      const okta = res.body.items.find((i) => i.provider === 'okta');
      return Boolean(okta?.streams.some((s) => s.degraded)) && okta?.health === 'degraded';
    }, 60_000, 2000);
    if (tenants.some((t) => t.provider === 'okta') && !degraded) problems.push('okta: 13 dead letters, but no stream is shown degraded');
    return problems;
  },
};

/** An Okta suspension whose answer never comes (it took effect): the executor must verify, not suspend again. */
const governanceTimeout: FaultCase = {
  name: 'governance: call times out after taking effect',
  async inject() {},
  async extra({ stack, tenants }) {
    const okta = tenants.find((t) => t.provider === 'okta');
    const action = okta?.tenant.action('suspend_user');
    if (!okta || !action) return ['no okta suspend_user case'];
    const sim = okta.faults[0]!;
    const writes = () => [...sim.writes.entries()].filter(([k]) => k.includes(action.target.id)).reduce((n, [, v]) => n + v, 0);
    const before = writes();
    sim.arm({ kind: 'hang', method: 'write', path: new RegExp(action.target.id), delayMs: 8000 });
    const res = await stack.post<{ command_id: string }>('/v1/governance', {
      provider: 'okta', instance: INSTANCE, action: 'suspend_user', target: action.target, request_id: `faults-${Date.now()}`,
    });
    if (res.status >= 300) return [`POST /v1/governance answered ${res.status}: ${JSON.stringify(res.body)}`];
    let status = '';
    await poll(async () => {
      status = (await stack.get<{ command?: { status: string } }>(`/v1/governance/${res.body.command_id}`)).body.command?.status ?? '';
      return ['succeeded', 'failed', 'unsupported', 'skipped', 'rejected'].includes(status);
    }, 120_000, 1000);
    const problems: string[] = [];
    if (status !== 'succeeded') problems.push(`the command ended ${status || 'nowhere'}, not succeeded`);
    if (!action.applied()) problems.push('the suspension did not take effect');
    if (writes() - before !== 1) problems.push(`the provider was asked to suspend ${writes() - before} times, not once`);
    return problems;
  },
};

/**
 * A second connector worker joins the group; the first is killed (SIGKILL) while both work: the second
 * takes its instances over (within `connectorWorkers.takeoverTimeoutMs`) and resumes from the saved
 * cursors. Afterwards the first is restarted and the second stopped, as the other cases expect.
 */
const workerTakeover: FaultCase = {
  name: 'two connector workers, one SIGKILLed: taken over',
  async inject({ stack, tenants }) {
    stack.start('connectors2');
    // Both in the group: the second has started and the first handed some instances over (or kept all: its partitions hold them).
    await poll(async () => workersShown(stack).then((w) => new Set(w.values()).size >= 2), 30_000, 2000);
    addEvents(tenants, 5);
    await sleep(1500);
    await stack.kill('connectors', 'SIGKILL');
    addEvents(tenants, 5);
  },
  async extra({ stack }) {
    const survivor = `:${stack.children.get('connectors2')?.pid}`;
    const onSurvivor = await poll(async () => [...(await workersShown(stack)).values()].every((w) => w.endsWith(survivor)), 60_000, 2000);
    await stack.restart('connectors');
    await sleep(5000);
    await stack.kill('connectors2', 'SIGTERM');
    return onSurvivor ? [] : ['/v1/connectors does not show every instance on the surviving worker'];
  },
};

/** The connector workers `/v1/connectors` names, by instance. */
async function workersShown(stack: FaultStack): Promise<Map<string, string>> {
  const res = await stack.get<{ items: Array<{ provider: string; worker?: string }> }>('/v1/connectors');
  return new Map(res.body.items.flatMap((i) => (i.worker ? [[i.provider, i.worker] as [string, string]] : [])));
}

export const CASES: FaultCase[] = [
  { name: 'baseline: first scan', async inject() {} },
  killRole('connectors', 'SIGKILL'),
  workerTakeover,
  killRole('store', 'SIGKILL'),
  killRole('policy', 'SIGKILL'),
  killRole('governance', 'SIGKILL'),
  throttleStorm,
  providerFault('500 and 503', [{ kind: 'status', status: 500, count: 3 }, { kind: 'status', status: 503, count: 3 }]),
  providerFault('timeouts', [{ kind: 'hang', delayMs: 5000, count: 2 }]),
  providerFault('connection reset mid-body', [{ kind: 'reset', count: 3 }]),
  providerFault('truncated JSON', [{ kind: 'truncate', count: 2 }]),
  // Each simulator refuses a continuation where its provider keeps it, the provider's way: a query token
  // (Google, Office 365, Okta, Box, ServiceNow), CloudTrail's NextToken body field, a Dropbox /continue
  // cursor, a Salesforce query locator in the path; the case fails unless each one was refused. 15 s is 15 polls;
  // 210 events make a window span pages of Salesforce's 200 rows, CloudTrail's 50, Okta's and ServiceNow's (100 in this suite).
  providerFault('page token expired', [{ kind: 'expired_token', count: 1 }], 15_000, { burst: 210 }),
  clockSkew,
  lateEvents(8 * 60_000),
  hoursLate(3),
  poison,
  poisonRecords(),
  deadLetterReplay,
  governanceTimeout,
  clickhouseUnavailable(20_000),
  brokerDown('SIGTERM', 30_000),
  brokerDown('SIGKILL', 5_000),
  killRole('connectors', 'SIGTERM'),
  killRole('store', 'SIGTERM'),
];
