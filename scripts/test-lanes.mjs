// Runs test files in lanes for scripts/run-tests.mjs: each job (a file, or a file with a name pattern) in
// its own `node --test` process, at most `concurrency` at a time, in the order given (Node's runner sorts
// the files it is given by name, so the order could not be chosen). A job's output is printed whole when
// it ends, so lanes do not interleave.
import { spawn } from 'node:child_process';

export const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
// How Node's reporters mark a test left out by --test-name-pattern (TAP: `# SKIP test name ...`).
const NOT_SELECTED = /^\s*(?:ok|﹣).*# (?:SKIP )?test name does not match pattern$/gm;

/**
 * Runs every job ({ key, file, args }); answers, by key, its exit code, the counts of its summary, how many
 * of its tests its name pattern left out, and its wall time in milliseconds.
 */
export async function runInLanes(jobs, { concurrency, args, cwd, env }) {
  const queue = [...jobs];
  const live = new Set();
  const results = {};
  let stopping = false;
  const forward = (signal) => {
    stopping = true;
    for (const child of live) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);

  const runOne = (job) => new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...args, ...job.args, job.file], { cwd, env: { ...env, APPWARDEN_TEST_JOB: job.key }, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('close', (code, signal) => {
      live.delete(child);
      const text = Buffer.concat(out).toString('utf8');
      process.stdout.write(text);
      const counts = Object.fromEntries(COUNTS.map((c) => [c, 0]));
      for (const [, name, n] of text.matchAll(/^(?:#|ℹ) (\w+) (\d+)$/gm)) if (name in counts) counts[name] += Number(n);
      results[job.key] = { file: job.file, code: signal ? 1 : code, counts, notSelected: text.match(NOT_SELECTED)?.length ?? 0, wallMs: Date.now() - started };
      resolve();
    });
  });

  const lane = async () => {
    while (queue.length > 0 && !stopping) await runOne(queue.shift());
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
  return { results, interrupted: stopping };
}
