import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** True when the run was asked to rewrite golden files (`UPDATE_GOLDEN=1`). */
export const updatingGolden = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares `actual` with the golden file at `path`. With `UPDATE_GOLDEN=1` it rewrites the file
 * instead, and the change is reviewed in the diff.
 */
export function assertGolden(path: string, actual: string): void {
  if (updatingGolden) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `golden file ${path} is missing; run the test with UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from ${path}; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`);
}

/** `assertGolden` for a value, written as pretty JSON with a final newline. */
export function assertGoldenJson(path: string, value: unknown): void {
  assertGolden(path, `${JSON.stringify(value, null, 2)}\n`);
}
