// What `npm test` runs. Makes sure a Kafka broker is there (the local one unless KAFKA_BROKERS is
// set), runs every *.test.ts with Node's test runner, and stops the broker if it started it.
//
//   npm test                          all tests
//   npm test -- core/kafka.test.ts    these files
//   npm test -- okta                  files whose path contains "okta"
//   npm test -- --test-name-pattern=cursor   options for node --test pass through
//
// Every line of the test logger and every answer of an Appwarden API go to .data/test-logs; after the
// tests, those files are scanned for the secrets the tests configured, and a secret found fails the run.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { PinoPretty } from 'pino-pretty';
import { COUNTS, runInLanes } from './test-lanes.mjs';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEST_ROOTS = ['core', 'schemas', 'ingestors', 'processors', 'api', 'simulators', 'cli', 'test'];
// A test that hangs fails after this long instead of holding CI until its own limit.
const TEST_TIMEOUT_MS = 300_000;
// Test files run two at a time by default, each in its own process with fresh topics, groups and
// databases (scripts/test-lanes.mjs); TEST_CONCURRENCY=1 runs them one by one.
const TEST_CONCURRENCY = Number(process.env.TEST_CONCURRENCY ?? 2);
const OUTPUT_DIR = join(projectRoot, '.data', 'test-logs');
const RECORD_RESPONSES = pathToFileURL(join(projectRoot, 'test', 'support', 'record-responses.ts')).href;
const FILE_TIMING = pathToFileURL(join(projectRoot, 'test', 'support', 'file-timing.mjs')).href;
const TIMING_DIR = join(projectRoot, '.data', 'test-timings');
// Seconds each file took in its last run: this machine's own (written after every run), else the
// committed figures of a full run (a fresh clone). Files start longest first so the lanes end together.
const LAST_DURATIONS = join(projectRoot, '.data', 'test-durations.json');
const KNOWN_DURATIONS = join(projectRoot, 'test', 'durations.json');
const SLOWEST_SHOWN = 20;
const PER_PROVIDER = /^test\/contract\/[^/]+\.test\.ts$/;

function findTests(dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findTests(path, found);
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(relative(projectRoot, path));
  }
  return found;
}

function selectFiles(filters) {
  const all = TEST_ROOTS.flatMap((root) => findTests(join(projectRoot, root))).sort();
  if (filters.length === 0) return all;
  return filters.flatMap((filter) => {
    const asPath = relative(projectRoot, resolve(filter));
    if (existsSync(join(projectRoot, asPath)) && asPath.endsWith('.ts')) return [asPath];
    return all.filter((file) => file.includes(filter));
  });
}

async function startKafka(log) {
  const { resolveKafkaBrokers, localKafkaOptionsFromEnv } = await tsImport('../core/local-kafka.ts', import.meta.url);
  return resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, projectRoot, log));
}

/**
 * The processes to run: one per file, but one per provider for the contract suites (`contract (<provider>):
 * ...` for every registered connector), whose files would run for minutes each and start one stack after
 * another. A name pattern given on the command line runs those files whole.
 */
async function jobsOf(files, nodeOptions) {
  const split = (file) => PER_PROVIDER.test(file) && !nodeOptions.some((o) => o.startsWith('--test-name-pattern'));
  const providers = files.some(split) ? [...(await tsImport('../ingestors/registry.ts', import.meta.url)).CONNECTORS.keys()] : [];
  return files.flatMap((file) => (split(file)
    ? providers.map((p) => ({ key: `${file} (${p})`, file, args: [`--test-name-pattern=^contract \\(${p}\\)`] }))
    : [{ key: file, file, args: [] }]));
}

/** Runs the jobs in lanes, longest first; prints the summed summary and what failed. */
async function runNodeTests(files, nodeOptions, env) {
  // A child's output is a pipe: it would report in TAP where a terminal gets the spec reporter.
  const reporter = process.stdout.isTTY && !nodeOptions.some((o) => o.startsWith('--test-reporter')) ? ['--test-reporter=spec'] : [];
  const args = ['--import', 'tsx', '--import', RECORD_RESPONSES, '--import', FILE_TIMING, '--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-force-exit', ...reporter, ...nodeOptions];
  const jobs = await jobsOf(files, nodeOptions);
  const { results, interrupted } = await runInLanes(longestFirst(jobs), { concurrency: TEST_CONCURRENCY, args, cwd: projectRoot, env });
  const totals = Object.fromEntries(COUNTS.map((c) => [c, 0]));
  const failed = [];
  for (const [key, r] of Object.entries(results)) {
    for (const c of COUNTS) totals[c] += r.counts[c];
    // A test its name pattern left out ran in the job of its own provider.
    totals.tests -= r.notSelected;
    totals.skipped -= r.notSelected;
    if (r.code !== 0) failed.push(key);
  }
  failed.push(...unselectedTests(results));
  process.stdout.write(`\n${COUNTS.map((name) => `# ${name} ${totals[name]}`).join('\n')}\n# files ${files.length} (${jobs.length} processes), failed ${failed.length}\n`);
  for (const what of failed) process.stdout.write(`# failed: ${what}\n`);
  const wallMs = Object.fromEntries(Object.entries(results).map(([key, r]) => [key, r.wallMs]));
  return { code: failed.length > 0 || interrupted ? 1 : 0, wallMs };
}

/** A file run once per provider must have run each of its tests exactly once: a test outside every provider's suite would run nowhere. */
function unselectedTests(results) {
  const byFile = new Map();
  for (const [key, r] of Object.entries(results)) if (key !== r.file) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const problems = [];
  for (const [file, runs] of byFile) {
    // A process that exits at its last selected test may not report the suites left out after it: the most any reported.
    const declared = Math.max(...runs.map((r) => r.counts.tests));
    const ran = runs.reduce((n, r) => n + r.counts.tests - r.notSelected, 0);
    if (ran !== declared) problems.push(`${file}: ${ran} of its ${declared} tests ran in its per-provider processes`);
  }
  return problems;
}

async function main() {
  const args = process.argv.slice(2);
  const nodeOptions = args.filter((a) => a.startsWith('--'));
  const files = selectFiles(args.filter((a) => !a.startsWith('--')));
  if (files.length === 0) {
    process.stderr.write(`no test files match ${args.join(' ')}\n`);
    return 1;
  }

  const { createLogger } = await tsImport('../core/logger.ts', import.meta.url);
  const log = createLogger({
    destination: PinoPretty({ destination: 2, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss', sync: true }),
  });

  let kafka;
  try {
    kafka = await startKafka(log);
  } catch (err) {
    process.stderr.write(`could not get a Kafka broker for the tests: ${err.code ?? ''} ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`Kafka for the tests: ${kafka.brokers.join(',')}; ${files.length} test file(s)\n`);
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  mkdirSync(OUTPUT_DIR, { recursive: true });
  rmSync(TIMING_DIR, { recursive: true, force: true });
  const started = Date.now();
  let code = 1;
  let wallMs = {};
  try {
    const env = { ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), APPWARDEN_TEST_OUTPUT_DIR: OUTPUT_DIR, APPWARDEN_TEST_TIMING_DIR: TIMING_DIR };
    ({ code, wallMs } = await runNodeTests(files, nodeOptions, env));
  } finally {
    if (kafka.startedHere) await kafka.stop();
  }
  reportDurations(files, wallMs, Date.now() - started);
  return (await scanOutput()) ? code : 1;
}

function readDurations(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** The jobs, those that took longest last time first (one never timed counts as one second). */
function longestFirst(jobs) {
  const last = { ...readDurations(KNOWN_DURATIONS), ...readDurations(LAST_DURATIONS) };
  return [...jobs].sort((a, b) => (last[b.key] ?? 1) - (last[a.key] ?? 1) || a.key.localeCompare(b.key));
}

/** Prints the slowest files of this run (wall and CPU seconds) and keeps every file's time for the next run's order. */
function reportDurations(files, wallMs, totalMs) {
  const cpuMs = {};
  for (const name of existsSync(TIMING_DIR) ? readdirSync(TIMING_DIR) : []) {
    const t = JSON.parse(readFileSync(join(TIMING_DIR, name), 'utf8'));
    cpuMs[t.job ?? relative(projectRoot, t.file)] = t.cpuMs;
  }
  const seconds = Object.fromEntries(Object.entries(wallMs).map(([f, ms]) => [f, Math.round(ms / 100) / 10]));
  const sorted = Object.entries(seconds).sort(([, a], [, b]) => b - a);
  if (sorted.length === 0) return;
  const sum = sorted.reduce((n, [, s]) => n + s, 0);
  const cpuSum = Object.values(cpuMs).reduce((n, ms) => n + ms / 1000, 0);
  const shown = sorted.slice(0, SLOWEST_SHOWN);
  const width = Math.max(...shown.map(([f]) => f.length));
  const cpu = (f) => (cpuMs[f] === undefined ? '' : `  (cpu ${(cpuMs[f] / 1000).toFixed(1)} s)`);
  const lines = shown.map(([f, s]) => `  ${f.padEnd(width)} ${s.toFixed(1).padStart(7)} s${cpu(f)}`);
  process.stderr.write(
    `\nslowest test files (of ${files.length}; ${Math.round(sum)} s in all, cpu ${Math.round(cpuSum)} s, ${Math.round(totalMs / 1000)} s wall, ` +
      `${TEST_CONCURRENCY} at a time):\n${lines.join('\n')}\n`,
  );
  mkdirSync(dirname(LAST_DURATIONS), { recursive: true });
  writeFileSync(LAST_DURATIONS, `${JSON.stringify({ ...readDurations(LAST_DURATIONS), ...seconds }, null, 1)}\n`);
}

/** False when a configured secret is in a log line or an API answer of the run; each one is named. */
async function scanOutput() {
  const { scanForSecrets } = await tsImport('../test/support/secret-scan.ts', import.meta.url);
  const findings = scanForSecrets(OUTPUT_DIR);
  for (const f of findings) process.stderr.write(`secret ${f.secret} found in ${relative(projectRoot, f.file)}:${f.line}\n`);
  if (findings.length > 0) process.stderr.write(`${findings.length} line(s) of the tests' logs and API answers hold a configured secret\n`);
  else process.stderr.write(`secret scan: no configured secret in the tests' logs and API answers (${relative(projectRoot, OUTPUT_DIR)})\n`);
  return findings.length === 0;
}

process.exitCode = await main();
