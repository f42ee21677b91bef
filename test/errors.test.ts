import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppwardenError, ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
/** The folders that hold product code; their `*.test.ts` files are not product code. */
const PRODUCT_DIRS = ['core', 'schemas', 'ingestors', 'processors', 'api', 'simulators', 'cli'];

/** `code → meaning` from the README's "Error codes" table. */
function readmeErrorTable(): Map<string, string> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## Error codes\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  assert.ok(section, 'README.md has an "## Error codes" section');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const row = /^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (row) {
      assert.ok(!rows.has(row[1]!), `${row[1]} is listed twice`);
      rows.set(row[1]!, row[2]!);
    }
  }
  assert.ok(rows.size > 0, 'the "Error codes" section has a table of `AW_*` codes');
  return rows;
}

function productFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts') || entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (file.split(path.sep).includes('node_modules')) continue;
    out.push(file);
  }
  return out;
}

describe('error catalogue', () => {
  test('every code is documented in the README, and the README lists no other code', () => {
    const table = readmeErrorTable();
    assert.deepEqual(CODES.filter((c) => !table.has(c)), [], 'codes missing from the README "Error codes" table');
    assert.deepEqual([...table.keys()].filter((c) => !(c in ERROR_CATALOGUE)), [], 'README codes that are not in ERROR_CATALOGUE');
    for (const [code, meaning] of table) assert.ok(meaning.length > 0, `${code} has a meaning in the README`);
  });

  test('every entry has an HTTP error status, a message and a retriable flag', () => {
    for (const code of CODES) {
      const entry = ERROR_CATALOGUE[code];
      assert.match(code, /^AW_[A-Z][A-Z0-9_]*$/, code);
      assert.ok(Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599, `${code}: status ${entry.status}`);
      assert.ok(typeof entry.message === 'string' && entry.message.trim().length > 0, `${code}: message`);
      assert.equal(typeof entry.retriable, 'boolean', `${code}: retriable`);
    }
  });

  test('an AppwardenError takes status, message and retriable from the catalogue unless told otherwise', () => {
    for (const code of CODES) {
      const err = new AppwardenError(code);
      assert.equal(err.code, code);
      assert.equal(err.status, ERROR_CATALOGUE[code].status);
      assert.equal(err.message, ERROR_CATALOGUE[code].message);
      assert.equal(err.retriable, ERROR_CATALOGUE[code].retriable);
    }
    const cause = new Error('socket hang up');
    const err = new AppwardenError('AW_PROVIDER_REQUEST_FAILED', 'GET /api/v1/logs answered 404', { status: 404, retriable: true, cause, details: { status: 404 } });
    assert.deepEqual([err.status, err.retriable, err.cause, err.details], [404, true, cause, { status: 404 }]);
  });

  test('every AW_* code named in product code is in the catalogue', () => {
    // Any quoted AW_* literal: new AppwardenError('AW_…'), isAppwardenError(err, 'AW_…'), code: 'AW_…', helpers.
    const literal = /(['"`])(AW_[A-Za-z0-9_]+)\1/g;
    const unknown: string[] = [];
    const named = new Set<string>();
    let files = 0;
    for (const dir of PRODUCT_DIRS) {
      for (const file of productFiles(dir)) {
        files++;
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.forEach((line, i) => {
          for (const m of line.matchAll(literal)) {
            named.add(m[2]!);
            if (!(m[2]! in ERROR_CATALOGUE)) unknown.push(`${path.relative(ROOT, file)}:${i + 1}: ${m[2]}`);
          }
        });
      }
    }
    assert.ok(files > 20, `read the product code (${files} files)`);
    assert.ok(named.has('AW_CONFIG_INVALID') && named.has('AW_BAD_REQUEST'), 'the scan sees the codes product code uses');
    assert.deepEqual(unknown, [], 'codes that are not in ERROR_CATALOGUE');
  });
});
