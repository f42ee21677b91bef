// `npm run fuzz`: runs schemathesis over the API's OpenAPI document against a real Appwarden (simulated
// tenants, local Kafka unless KAFKA_BROKERS is set, embedded ClickHouse in a fresh folder) on a loopback
// port, and fails on any server error or any answer the document does not declare.
//
//   FUZZ_MAX_EXAMPLES   test cases per operation and phase (default 40)
//   FUZZ_BUDGET_S       the run is stopped and fails past this many seconds (default 420)
//   FUZZ_SEED           schemathesis' seed, to replay a run
//   SCHEMATHESIS        the schemathesis command (default: .cache/python/bin/schemathesis, else on PATH)
//   APPWARDEN_ADMIN_KEY the admin key the API is started with and schemathesis sends (default: a random one)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../cli/main.js';
import { startAppwarden, type RunningAppwarden } from '../cli/start.js';
import { loadConfig } from '../core/config.js';
import { localKafkaOptionsFromEnv, resolveKafkaBrokers } from '../core/local-kafka.js';
import { createLogger } from '../core/logger.js';
import { sleep } from '../core/sleep.js';
import { providerDefaults, providerSchemas } from '../ingestors/registry.js';

const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 40);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_S ?? 420) * 1000;
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance', 'content_type_conformance'];

const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: process.stderr.isTTY });
const say = (line: string) => process.stderr.write(`fuzz: ${line}\n`);

type OpenApi = { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; example?: unknown }> }>> };

function schemathesisCommand(): string {
  if (process.env.SCHEMATHESIS) return process.env.SCHEMATHESIS;
  const venv = path.join(PROJECT_ROOT, '.cache', 'python', 'bin', 'schemathesis');
  return existsSync(venv) ? venv : 'schemathesis';
}

async function main(): Promise<number> {
  const workDir = path.join(PROJECT_ROOT, '.data');
  mkdirSync(workDir, { recursive: true });
  const runDir = mkdtempSync(path.join(workDir, 'fuzz-'));
  const adminKey = process.env.APPWARDEN_ADMIN_KEY ?? randomBytes(24).toString('base64url');
  // The API reads its first admin key from the environment.
  process.env.APPWARDEN_ADMIN_KEY = adminKey;
  const auth = { authorization: `Bearer ${adminKey}` };

  const kafka = await resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, PROJECT_ROOT, log));
  let running: RunningAppwarden | undefined;
  try {
    const tag = randomBytes(4).toString('hex');
    const config = loadConfig({
      env: process.env, providerSchemas: providerSchemas(), providerDefaults: providerDefaults(),
      overrides: {
        kafka: { brokers: kafka.brokers, topicPrefix: `fuzz_${tag}`, partitions: 1, replicationFactor: 1 },
        clickhouse: { dataDir: path.join(runDir, 'clickhouse'), database: 'appwarden' },
        sink: { groupId: `fuzz_${tag}_sink`, flushIntervalMs: 200 },
        policies: { groupId: `fuzz_${tag}_policy` },
        // Governance acts on simulated tenants only, and records instead of acting.
        governance: { groupId: `fuzz_${tag}_governance`, dryRun: true },
        // The fuzzer is one caller sending as fast as it can: the rate limit would answer most of it 429.
        api: { host: '127.0.0.1', port: 0, rateLimit: { requestsPerMinute: 0 } },
        simulate: true,
        connectors: {},
      },
    });
    say(`starting Appwarden (simulated tenants, Kafka ${kafka.brokers.join(',')}, data in ${runDir})`);
    running = await startAppwarden({ config, log, env: process.env, listen: true });
    const base = running.url!;
    const api = async <T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${base}${url}`, {
        method, headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as T };
    };
    const waitFor = async <T>(what: string, probe: () => Promise<T | null>, ms: number): Promise<T | null> => {
      const until = Date.now() + ms;
      for (;;) {
        const found = await probe().catch(() => null);
        if (found !== null || Date.now() > until) {
          if (found === null) say(`no ${what} after ${ms / 1000} s: its operations get generated values only`);
          return found;
        }
        await sleep(500);
      }
    };

    // Ids the operations need, so that the examples phase reaches the objects behind them.
    await waitFor('activity', async () => ((await api<{ items: unknown[] }>('GET', '/v1/activities?limit=1')).body.items?.length ? true : null), 120_000);
    const policyId = 'fuzz-example';
    const deployed = await api('PUT', `/v1/policies/${policyId}`, {
      id: policyId, name: 'Fuzz example', kind: 'activity', severity: 'low', detection: { login: { action: 'login' }, condition: 'login' },
    });
    if (deployed.status !== 200) say(`deploying the example policy answered ${deployed.status}: ${JSON.stringify(deployed.body)}`);
    // An enforce-mode version from a policy author waits for an admin: the proposal routes then have one to find.
    const proposalId = 'fuzz-proposal';
    const author = await api<{ key?: string }>('POST', '/v1/keys', { name: 'fuzz policy author', role: 'policy-author' });
    if (author.body.key) {
      const res = await fetch(`${base}/v1/policies/${proposalId}`, {
        method: 'PUT', headers: { authorization: `Bearer ${author.body.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: proposalId, name: 'Fuzz proposal', kind: 'activity', severity: 'low', mode: 'enforce',
          providers: ['okta'], detection: { login: { action: 'login' }, condition: 'login' }, actions: [{ action: 'suspend_user' }] }),
      });
      if (res.status !== 202) say(`proposing the example policy answered ${res.status}: ${await res.text()}`);
    }
    const user = running.exampleUser ?? 'alice@example.com';
    const created = await api<{ command_id?: string }>('POST', '/v1/governance', {
      provider: 'okta', instance: 'demo', action: 'suspend_user', target: { type: 'user', id: user }, requires_approval: true, dry_run: true, request_id: `fuzz-${tag}`,
    });
    const commandId = created.body.command_id ?? null;
    if (commandId) await waitFor('governance command', async () => ((await api('GET', `/v1/governance/${commandId}`)).status === 200 ? true : null), 60_000);
    const alertId = await waitFor('alert', async () => (await api<{ items: Array<{ alert_id: string }> }>('GET', '/v1/alerts?limit=1')).body.items?.[0]?.alert_id ?? null, 60_000);
    const fingerprint = (await api<{ items: Array<{ fingerprint: string }> }>('GET', '/v1/schemas')).body.items[0]?.fingerprint ?? null;

    const doc = (await api<OpenApi>('GET', '/docs/json')).body;
    // The first route that a path starts with names its id: the proposal routes before the other policy routes.
    const known: Array<{ route: string; name: string; value: string | null }> = [
      { route: '/v1/policies/{id}/proposal', name: 'proposal-ids', value: proposalId },
      { route: '/v1/policies/{id}/approve', name: 'proposal-ids', value: proposalId },
      { route: '/v1/policies/{id}', name: 'policy-ids', value: policyId },
      { route: '/v1/governance/{id}', name: 'command-ids', value: commandId },
      { route: '/v1/alerts/{id}', name: 'alert-ids', value: alertId },
      { route: '/v1/schemas/{fingerprint}', name: 'fingerprints', value: fingerprint },
    ];
    // Each id as the OpenAPI example (the examples phase), and drawn most of the time by the other phases.
    for (const [route, ops] of Object.entries(doc.paths)) {
      const id = known.find((k) => route.startsWith(k.route))?.value;
      if (!id) continue;
      for (const op of Object.values(ops)) for (const p of op.parameters ?? []) if (p.in === 'path') p.example = id;
    }
    const docFile = path.join(runDir, 'openapi.json');
    writeFileSync(docFile, JSON.stringify(doc, null, 2));
    const configFile = path.join(runDir, 'schemathesis.toml');
    const now = Date.now();
    const times = [now - 2 * 86_400_000, now - 86_400_000, now].map((t) => JSON.stringify(new Date(t).toISOString()));
    // Values that pass validation half of the time, so that generated requests also reach the queries behind it.
    const shared = `[dictionaries.times]\nvalues = [${times.join(', ')}]\n\n[dictionaries.instances]\nvalues = ["demo"]\n\n[parameters]\n`
      + ['query.from', 'query.to', 'body.from', 'body.to'].map((k) => `"${k}" = { dictionary = "times", probability = 0.5 }\n`).join('')
      + ['query.instance', 'body.instance'].map((k) => `"${k}" = { dictionary = "instances", probability = 0.5 }\n`).join('');
    const escape = (text: string) => text.replace(/[{}]/g, '\\$&');
    const given = known.filter((k) => k.value);
    const dictionaries = [...new Map(given.map((k) => [k.name, k.value])).entries()]
      .map(([name, value]) => `[dictionaries.${name}]\nvalues = [${JSON.stringify(value)}]\n`);
    const operations = given.map((k) => {
      const param = /\{([^}]+)\}[^{]*$/.exec(k.route)![1];
      // A route that others extend (`/v1/policies/{id}`) leaves them (`…/proposal`) to their own entry.
      const longer = given.filter((o) => o.route !== k.route && o.route.startsWith(k.route)).map((o) => escape(o.route.slice(k.route.length)));
      const regex = `^${escape(k.route)}${longer.length ? `(?!${longer.join('|')})` : ''}`;
      return `[[operations]]\ninclude-path-regex = ${JSON.stringify(regex)}\nparameters = { "path.${param}" = { dictionary = "${k.name}", probability = 0.8 } }\n`;
    });
    writeFileSync(configFile, [shared, ...dictionaries, ...operations].join('\n'));
    const operationCount = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    say(`${operationCount} operations; ids: ${known.map((k) => `${k.route} ${k.value ?? '(none)'}`).join(', ')}`);

    const args = [
      '--config-file', configFile,
      'run', docFile, '--url', base,
      '--checks', CHECKS.join(','),
      '--phases', 'examples,coverage,fuzzing',
      '--max-examples', String(MAX_EXAMPLES),
      // One worker: hypothesis describes filters by parsing their source, and CPython 3.11's parser is
      // not safe across threads ("AST constructor recursion depth mismatch").
      '--workers', '1',
      '--request-timeout', '60',
      '--header', `Authorization: Bearer ${adminKey}`,
      '--suppress-health-check', 'all',
      '--report', 'junit', '--report-dir', path.join(workDir, 'fuzz-report'),
      ...(process.env.FUZZ_SEED ? ['--seed', process.env.FUZZ_SEED] : []),
    ];
    return await runWithin(schemathesisCommand(), args, BUDGET_MS);
  } finally {
    await running?.stop();
    if (kafka.startedHere) await kafka.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** Runs the command with inherited output; past `budgetMs` it is stopped and the run fails. */
function runWithin(command: string, args: string[], budgetMs: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' } });
    const timer = setTimeout(() => {
      say(`schemathesis ran past its budget of ${budgetMs / 1000} s: stopping it`);
      child.kill('SIGTERM');
    }, budgetMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      say(`cannot run ${command}: ${err.message}. Install it with: pip install schemathesis==4.32.5 (or set SCHEMATHESIS)`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

process.exit(await main());
