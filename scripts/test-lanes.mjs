// Runs test files in lanes for scripts/run-tests.mjs: each file in its own `node --test` process, at most
// `concurrency` at a time, in the order given (Node's runner sorts the files it is given by name, so the
// order could not be chosen). A file's output is printed whole when it ends, so lanes do not interleave.
import { spawn } from 'node:child_process';

const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];

/**
 * Runs every file; answers the summed counts of the runs' summaries, the files that failed, and each
 * file's wall time in milliseconds.
 */
export async function runInLanes(files, { concurrency, args, cwd, env }) {
  const queue = [...files];
  const live = new Set();
  const totals = Object.fromEntries(COUNTS.map((c) => [c, 0]));
  const failed = [];
  const wallMs = {};
  let stopping = false;
  const forward = (signal) => {
    stopping = true;
    for (const child of live) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);

  const runOne = (file) => new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...args, file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('close', (code, signal) => {
      live.delete(child);
      wallMs[file] = Date.now() - started;
      const text = Buffer.concat(out).toString('utf8');
      process.stdout.write(text);
      for (const [, name, n] of text.matchAll(/^(?:#|ℹ) (\w+) (\d+)$/gm)) if (name in totals) totals[name] += Number(n);
      if (code !== 0 || signal) failed.push(file);
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
  return { totals, failed, wallMs, interrupted: stopping };
}
