import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the test run keeps for the secret scan that `npm test` runs after the tests
 * (`test/support/secret-scan.ts`): every line of the test logger, every answer of an Appwarden API,
 * and the secrets the tests configured. Set by scripts/run-tests.mjs; unset, nothing is kept.
 * Loaded into every test process (`record-responses.ts`), so it imports nothing of Appwarden's.
 */
export const TEST_OUTPUT_DIR = process.env.APPWARDEN_TEST_OUTPUT_DIR || undefined;
export const SECRETS_FILE = 'secrets.jsonl';
/** Shorter values are too common to scan for (they would match ordinary text). */
export const MIN_SECRET_LENGTH = 8;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `<dir>/<test file>.<pid>.<kind>`, so that every line found can be traced to its test file. */
export function outputFile(kind: 'log' | 'responses'): string | undefined {
  if (!TEST_OUTPUT_DIR) return undefined;
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  const script = process.argv[1] ? path.relative(ROOT, process.argv[1]) : 'unknown';
  return path.join(TEST_OUTPUT_DIR, `${script.replace(/[^A-Za-z0-9_.-]+/g, '_')}.${process.pid}.${kind}`);
}

/** Adds values to the list the scan looks for. */
export function registerTestSecrets(values: Iterable<string>): void {
  if (!TEST_OUTPUT_DIR) return;
  const lines = [...values].filter((v) => v.length >= MIN_SECRET_LENGTH).map((v) => `${JSON.stringify(v)}\n`);
  if (lines.length === 0) return;
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  appendFileSync(path.join(TEST_OUTPUT_DIR, SECRETS_FILE), lines.join(''));
}
