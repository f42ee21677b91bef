import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { buildApp } from '../api/app.js';
import { openClickHouse } from '../core/clickhouse.js';
import { freshDir, freshName } from './support/fresh.js';
import { scanForSecrets } from './support/secret-scan.js';
import { testConfig, testDataDir, testLog } from './support/stack.js';
import { outputFile, SECRETS_FILE, TEST_OUTPUT_DIR } from './support/test-output.js';


describe('secret scan of the test run', () => {
  test('finds a registered secret in a log or answer file, as written or inside JSON, naming file and line', () => {
    const dir = freshDir('secret-scan');
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    writeFileSync(path.join(dir, SECRETS_FILE), `${JSON.stringify('okta-token-0123456789')}\n${JSON.stringify(pem)}\n`);
    writeFileSync(path.join(dir, 'a.test.ts.1.log'), '{"msg":"fine"}\n{"msg":"token okta-token-0123456789"}\n');
    writeFileSync(path.join(dir, 'b.test.ts.2.responses'), `GET /v1/x 200 {} {"key":${JSON.stringify(pem)}}\nGET /v1/y 200 {} nothing\n`);
    writeFileSync(path.join(dir, 'c.test.ts.3.log'), 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n');
    const found = scanForSecrets(dir).map((f) => `${path.basename(f.file)}:${f.line}:${f.secret}`);
    assert.deepEqual(found, ['a.test.ts.1.log:2:okta…', 'b.test.ts.2.responses:1:----…', 'c.test.ts.3.log:1:----…']);
  });

  test('under npm test, the test logger, API answers and configured secrets are kept for the scan', async () => {
    assert.ok(TEST_OUTPUT_DIR, 'npm test sets APPWARDEN_TEST_OUTPUT_DIR');
    const marker = freshName('marker');
    testLog.debug({ marker }, 'a line for the scan');
    assert.match(readFileSync(outputFile('log')!, 'utf8'), new RegExp(marker));

    const clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('aw_scan'), log: testLog });
    const app = await buildApp({ clickhouse, log: testLog, maxPageSize: 10 });
    try {
      await app.inject({ method: 'GET', url: `/v1/schemas?${marker}=1` });
    } finally {
      await app.close();
      await clickhouse.close();
    }
    assert.match(readFileSync(outputFile('responses')!, 'utf8'), new RegExp(`GET /v1/schemas\\?${marker}=1 200`));

    const token = `tok-${freshName('secret')}`;
    testConfig({ okta: { main: { orgUrl: 'http://127.0.0.1:1', token } } });
    const secrets = readFileSync(path.join(TEST_OUTPUT_DIR, SECRETS_FILE), 'utf8');
    assert.ok(secrets.includes(JSON.stringify(token)), 'the connector token the test configured is registered');
  });
});
