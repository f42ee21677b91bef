// Loaded by scripts/run-tests.mjs (`--import`) into every test process: at exit, writes how long the
// process ran (from its start) and the CPU time it used to APPWARDEN_TEST_TIMING_DIR, for the runner's table of the slowest files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const dir = process.env.APPWARDEN_TEST_TIMING_DIR;
const file = process.argv[1];
if (dir && file) {
  process.on('exit', (code) => {
    try {
      mkdirSync(dir, { recursive: true });
      const cpu = process.cpuUsage();
      const record = { file, job: process.env.APPWARDEN_TEST_JOB, ms: Math.round(performance.now()), cpuMs: Math.round((cpu.user + cpu.system) / 1000), code, startedAt: Math.round(performance.timeOrigin) };
      writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(record));
    } catch {
      // A timing not written only leaves the file out of the table.
    }
  });
}
