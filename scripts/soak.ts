/**
 * `npm run soak -- --minutes N [--rate EVENTS_PER_S] [--out DIR]`: every simulated provider at a steady
 * event rate through the whole pipeline (own broker, one process per role, built-in policies on), and
 * a report of throughput, consumer lag, each role's memory and errors over time: a table on stdout and
 * a PNG chart (lag and memory against time) in DIR (default .data/soak).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '../core/logger.js';
import { FaultBroker, FaultStack, PROCESSES, ROOT, freshRoot } from '../test/faults/stack.js';
import { connectorSettings, sleep, startTenants, tally } from '../test/faults/tenants.js';
import { drawChart, heapOf, memoryFigure, slopePerMinute, type Sample } from './soak-report.js';

const SAMPLE_EVERY_MS = 5000;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '20' }, out: { type: 'string' } } });
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  if (!(minutes > 0) || !(rate > 0)) throw new Error('--minutes and --rate take positive numbers');
  const out = path.resolve(values.out ?? path.join(ROOT, '.data', 'soak'));
  mkdirSync(out, { recursive: true });
  const log = createLogger({ level: 'warn', destination: process.stderr });
  const root = freshRoot('soak');
  const broker = new FaultBroker(log, root);
  const tenants = await startTenants('soak');
  // Each role logs its memory (RSS, V8 heap, native, embedded ClickHouse) every sample period.
  const stack = new FaultStack({ log, broker, root, connectors: connectorSettings(tenants), env: { LOG_LEVEL: 'info', APPWARDEN_MEMORY_LOG_MS: String(SAMPLE_EVERY_MS) } });
  const samples: Sample[] = [];
  let added = 0;
  try {
    await broker.start();
    await stack.writeConfig();
    await stack.startAll();
    const kafka = new Kafka({ clientId: 'soak', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const groups = [`${stack.topicPrefix}-sink`, `${stack.topicPrefix}.policy`];
    process.stderr.write(`soak: ${minutes} min at ${rate} events/s over ${tenants.length} providers; logs in ${root}\n`);
    const start = Date.now();
    let nextSample = start;
    let credit = 0;
    while (Date.now() - start < minutes * 60_000) {
      credit += rate;
      for (; credit >= 1; credit--) {
        tenants[added % tenants.length]!.tenant.addActivity(0);
        added++;
      }
      if (Date.now() >= nextSample) {
        nextSample += SAMPLE_EVERY_MS;
        const logs = readLogs(root);
        samples.push({ t: (Date.now() - start) / 1000, added, lag: await lagOf(admin, groups), rssMb: rssOf(stack), memory: memoryOf(logs), errors: errorsOf(logs) });
        const s = samples.at(-1)!;
        const heap = Object.keys(s.memory).map((r) => `${r} ${heapOf(s, r)?.toFixed(0)}`).join(' ');
        process.stderr.write(`soak: ${s.t.toFixed(0)} s added ${added} lag ${Object.values(s.lag).join('/')} rss ${Object.values(s.rssMb).map((m) => m.toFixed(0)).join('/')} MB heap ${heap}\n`);
      }
      await sleep(1000);
    }
    // Drain: every event stored.
    const drainStart = Date.now();
    let final = await tally(stack, tenants);
    while (final.missing > 0 && Date.now() - drainStart < 180_000) {
      await sleep(3000);
      final = await tally(stack, tenants);
    }
    await admin.disconnect();
    const seconds = (Date.now() - start) / 1000;
    const report = summary(samples, final, seconds, minutes, rate, Date.now() - drainStart);
    writeFileSync(path.join(out, 'soak.png'), drawChart(samples));
    writeFileSync(path.join(out, 'soak.md'), report);
    writeFileSync(path.join(out, 'soak.json'), JSON.stringify({ minutes, rate, samples, final }, null, 1));
    process.stdout.write(`${report}\nchart: ${path.join(out, 'soak.png')}\n`);
    return final.missing === 0 && final.duplicates === 0 && final.unexpected === 0 ? 0 : 1;
  } finally {
    await stack.stopAll().catch(() => undefined);
    await broker.stop('SIGTERM').catch(() => undefined);
    for (const t of tenants) await t.tenant.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

async function lagOf(admin: ReturnType<Kafka['admin']>, groups: string[]): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  for (const groupId of groups) {
    try {
      const committed = await admin.fetchOffsets({ groupId });
      let sum = 0;
      for (const { topic, partitions } of committed) {
        const high = await admin.fetchTopicOffsets(topic);
        for (const p of partitions) {
          const end = Number(high.find((h) => h.partition === p.partition)?.high ?? 0);
          sum += Math.max(0, end - Math.max(0, Number(p.offset)));
        }
      }
      lag[groupId.endsWith('-sink') ? 'sink' : 'policy'] = sum;
    } catch {
      lag[groupId.endsWith('-sink') ? 'sink' : 'policy'] = -1;
    }
  }
  return lag;
}

function rssOf(stack: FaultStack): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const name of stack.children.keys()) {
    const pid = stack.children.get(name)?.pid;
    const status = pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    rss[name] = kb / 1024;
  }
  return rss;
}

function readLogs(root: string): Record<string, string> {
  const logs: Record<string, string> = {};
  for (const name of Object.keys(PROCESSES)) {
    try { logs[name] = readFileSync(path.join(root, `${name}.log`), 'utf8'); } catch { /* not started */ }
  }
  return logs;
}

/** Lines at level error (50) or worse in the roles' logs. */
function errorsOf(logs: Record<string, string>): number {
  return Object.values(logs).reduce((n, text) => n + (text.match(/"level":(5|6)0/g) ?? []).length, 0);
}

/** Each role's last `process memory` line. */
function memoryOf(logs: Record<string, string>): Record<string, Record<string, number>> {
  const memory: Record<string, Record<string, number>> = {};
  for (const [name, text] of Object.entries(logs)) {
    const at = text.lastIndexOf('"msg":"process memory"');
    if (at === -1) continue;
    const line = text.slice(text.lastIndexOf('\n', at) + 1, text.indexOf('\n', at) === -1 ? undefined : text.indexOf('\n', at));
    try { memory[name] = (JSON.parse(line) as { memory: Record<string, number> }).memory; } catch { /* a line being written */ }
  }
  return memory;
}

function summary(samples: Sample[], final: Awaited<ReturnType<typeof tally>>, seconds: number, minutes: number, rate: number, drainMs: number): string {
  const rows = samples.filter((_, i) => i % 12 === 0 || i === samples.length - 1);
  const roles = Object.keys(samples[0]?.rssMb ?? {});
  const mb = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0));
  const head = ['t (s)', 'added', 'lag sink', 'lag policy', ...roles.map((r) => `${r} RSS / heap MB`), 'store chdb MB', 'errors'];
  const lines = [head, ...rows.map((s) => [
    s.t.toFixed(0), String(s.added), String(s.lag.sink ?? '-'), String(s.lag.policy ?? '-'),
    ...roles.map((r) => `${mb(s.rssMb[r])} / ${mb(heapOf(s, r))}`), mb(s.memory.store?.chTrackedMb), String(s.errors),
  ])];
  const table = lines.map((l, i) => `| ${l.join(' | ')} |${i === 0 ? `\n|${l.map(() => '---').join('|')}|` : ''}`).join('\n');
  const half = samples.slice(Math.floor(samples.length / 2));
  const slope = (role: string, figure: string) => {
    const points = half.flatMap((s) => { const v = memoryFigure(s, role, figure); return v === undefined ? [] : [[s.t, v] as [number, number]]; });
    return points.length < 2 ? '-' : slopePerMinute(points).toFixed(2);
  };
  const trends = roles.map((r) => `| ${r} | ${['rss', 'heap', 'heapLiveMb', 'externalMb', 'nativeMb', 'rssAnonMb', 'rssFileMb'].map((f) => slope(r, f)).join(' | ')} |`);
  const engine = ['chTrackedMb', 'chAllocatedMb', 'chResidentMb', 'chMarkCacheMb', 'chPrimaryIndexCacheMb'].map((f) => `${f} ${slope('store', f)}`).join(', ');
  return [
    `# Soak: ${minutes} min at ${rate} events/s`, '',
    table, '',
    `- events added ${samples.at(-1)?.added ?? 0}; stored ${final.stored} of ${final.expected} expected (whole history incl. seed), ${final.missing} missing, ${final.duplicates + final.unexpected} duplicates/unexpected; drained ${(drainMs / 1000).toFixed(0)} s after the load stopped`,
    `- throughput: ${((samples.at(-1)?.added ?? 0) / seconds).toFixed(1)} events/s sustained`,
    `- sink lag trend (second half): ${slopePerMinute(half.map((s) => [s.t, s.lag.sink ?? 0])).toFixed(1)} records/min; policy lag trend ${slopePerMinute(half.map((s) => [s.t, s.lag.policy ?? 0])).toFixed(1)} records/min`,
    `- error log lines: ${samples.at(-1)?.errors ?? 0}`, '',
    'Memory trend, second half, MB/min (least squares). heap: V8 heap used just after the last full GC; heap (least): the least V8 heap used seen in each 5 s; native: RSS − V8 heap reserved − external; anon/file: RSS of anonymous pages / of mapped files (code).', '',
    '| process | RSS | heap | heap (least) | external | native | anon | file |', '|---|---|---|---|---|---|---|---|', ...trends, '',
    `store's embedded ClickHouse, MB/min: ${engine}`, '',
  ].join('\n');
}

process.exitCode = await main();
