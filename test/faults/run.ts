/**
 * `npm run test:faults`: the reliability fault suite. One pipeline (its own Kafka broker, one process
 * per role, one simulated tenant per provider), the cases of `cases.ts` one after the other; after each,
 * every event the tenants serve must be listed by the API exactly once. Prints a table; exits 1 on any
 * duplicate, missing or unexpected event, or a case's own failed check.
 *
 *   npm run test:faults                       every case
 *   npm run test:faults -- --case broker,poison  cases whose name contains one of these (after the baseline)
 *   npm run test:faults -- --providers okta,box
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../../core/logger.js';
import { CASES, type FaultCase } from './cases.js';
import { FaultBroker, FaultStack, freshRoot } from './stack.js';
import { connectorSettings, poll, startTenants, tally, type Tally } from './tenants.js';

const RECOVERY_TIMEOUT_MS = 240_000;
const LAST_LOOK_TIMEOUT_MS = 60_000;

interface Row {
  name: string;
  tally: Tally;
  recoveryMs: number | null;
  /** The whole case: the fault, the recovery and the case's own checks. */
  totalMs: number;
  problems: string[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { case: { type: 'string' }, providers: { type: 'string' }, keep: { type: 'boolean' } } });
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
  const started = Date.now();
  const root = freshRoot('faults');
  const broker = new FaultBroker(log, root);
  const tenants = await startTenants('faults', values.providers?.split(','));
  const stack = new FaultStack({ log, broker, root, connectors: connectorSettings(tenants) });
  const wanted = values.case?.split(',');
  const cases = CASES.filter((c, i) => i === 0 || !wanted || wanted.some((w) => c.name.includes(w)));
  const rows: Row[] = [];
  try {
    await broker.start();
    await stack.writeConfig();
    await stack.startAll();
    process.stderr.write(`faults: broker ${broker.brokers[0]}, API ${stack.apiUrl}, ${tenants.length} providers, ${cases.length} cases; logs in ${root}\n`);
    for (const c of cases) rows.push(await runCase(c, { stack, broker, tenants }));
  } catch (err) {
    process.stderr.write(`faults: the run stopped: ${(err as Error).stack}\n`);
    rows.push({ name: 'run aborted', tally: emptyTally(), recoveryMs: null, totalMs: 0, problems: [(err as Error).message] });
  } finally {
    await stack.stopAll().catch(() => undefined);
    await broker.stop('SIGTERM').catch(() => undefined);
    for (const t of tenants) await t.tenant.close().catch(() => undefined);
    if (!values.keep && rows.every((r) => r.problems.length === 0)) rmSync(root, { recursive: true, force: true });
  }
  process.stdout.write(table(rows));
  const failed = rows.filter((r) => r.problems.length > 0);
  for (const r of failed) process.stdout.write(`FAILED ${r.name}:\n  ${r.problems.join('\n  ')}\n`);
  process.stdout.write(`${rows.length} case(s), ${failed.length} failed, ${Math.round((Date.now() - started) / 1000)} s\n`);
  return failed.length > 0 ? 1 : 0;
}

async function runCase(c: FaultCase, ctx: Parameters<FaultCase['inject']>[0]): Promise<Row> {
  process.stderr.write(`faults: ${c.name}\n`);
  const started = Date.now();
  const problems: string[] = [];
  await c.inject(ctx);
  const faultOver = Date.now();
  let last = emptyTally();
  let reported = Date.now();
  const recovered = await poll(async () => {
    last = await tally(ctx.stack, ctx.tenants);
    const ok = last.missing === 0 && last.duplicates === 0 && last.unexpected === 0;
    if (!ok && Date.now() - reported > 30_000) {
      reported = Date.now();
      const off = Object.entries(last.byProvider).filter(([, t]) => t.missing || t.duplicates || t.unexpected);
      process.stderr.write(`faults:   waiting: ${off.map(([p, t]) => `${p} ${t.missing} missing ${t.duplicates + t.unexpected} extra`).join(', ')}\n`);
    }
    return ok;
  }, RECOVERY_TIMEOUT_MS, 2000);
  const recoveryMs = recovered ? Date.now() - faultOver : null;
  if (c.extra) problems.push(...(await c.extra(ctx).catch((err: Error) => [`check failed: ${err.message}`])));
  // A last look after the case's own checks: nothing doubled meanwhile. A tenant with live activity
  // (the simulators keep generating events) may have added events since; those must arrive too.
  await poll(async () => {
    last = await tally(ctx.stack, ctx.tenants).catch(() => last);
    return last.missing === 0 || last.duplicates > 0 || last.unexpected > 0;
  }, LAST_LOOK_TIMEOUT_MS, 2000);
  for (const [provider, t] of Object.entries(last.byProvider)) {
    if (t.missing || t.duplicates || t.unexpected) problems.push(`${provider}: ${t.missing} missing, ${t.duplicates} duplicates, ${t.unexpected} unexpected of ${t.expected}`);
  }
  if (!recovered && problems.length === 0) problems.push(`not recovered within ${RECOVERY_TIMEOUT_MS / 1000} s`);
  return { name: c.name, tally: last, recoveryMs, totalMs: Date.now() - started, problems };
}

function emptyTally(): Tally {
  return { expected: 0, stored: 0, duplicates: 0, missing: 0, unexpected: 0, byProvider: {} };
}

function table(rows: Row[]): string {
  const head = ['case', 'expected', 'stored', 'duplicates', 'missing', 'recovery', 'case time', 'result'];
  const body = rows.map((r) => [
    r.name, String(r.tally.expected), String(r.tally.stored), String(r.tally.duplicates + r.tally.unexpected), String(r.tally.missing),
    r.recoveryMs === null ? '-' : `${(r.recoveryMs / 1000).toFixed(1)} s`, `${(r.totalMs / 1000).toFixed(1)} s`, r.problems.length ? 'FAIL' : 'ok',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |\n`;
  return `\n${line(head)}|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('')}\n`;
}

process.exitCode = await main();
