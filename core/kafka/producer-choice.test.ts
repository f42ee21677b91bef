/**
 * An install without librdkafka (`@confluentinc/kafka-javascript` is an optional dependency whose native
 * build can fail): `auto` publishes with kafkajs after one warning, and `rdkafka` is refused at start with
 * the setting named. Run in a child process in which that module cannot be found.
 */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testBrokers } from '../../test/support/fresh.js';

const WITHOUT_RDKAFKA = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@confluentinc/kafka-javascript') {
    const err = new Error("Cannot find module '@confluentinc/kafka-javascript'");
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
`;

test('without librdkafka, auto publishes with kafkajs after one warning and rdkafka is refused naming kafka.producerClient', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'appwarden-no-rdkafka-'));
  const preload = path.join(dir, 'without-rdkafka.cjs');
  writeFileSync(preload, WITHOUT_RDKAFKA);
  const kafka = JSON.stringify(new URL('../kafka.ts', import.meta.url).href);
  const options = `{ brokers: ${JSON.stringify(testBrokers())}, clientId: 'choice-test', partitions: 1, replicationFactor: 1, log }`;
  const script = `
    import pino from 'pino';
    import { createKafkaBus } from ${kafka};
    const lines = [];
    const log = pino({ level: 'warn' }, { write: (line) => lines.push(JSON.parse(line)) });
    const first = createKafkaBus({ ...${options}, prefix: ${JSON.stringify(`choice-${randomUUID().slice(0, 8)}`)}, producerClient: 'auto' });
    const second = createKafkaBus({ ...${options}, prefix: 'choice-unused', producerClient: 'auto' });
    await first.ensureTopics();
    await first.send(first.topics.audit, [{ key: 'k', value: Buffer.from('published without librdkafka') }]);
    const stored = await first.readCompactedTopic(first.topics.audit, { timeoutMs: 60000 });
    let refused = null;
    try {
      createKafkaBus({ ...${options}, prefix: 'choice-refused', producerClient: 'rdkafka' });
    } catch (err) {
      refused = { code: err.code, message: err.message };
    }
    await first.deleteTopics();
    await first.disconnect();
    await second.disconnect();
    process.stdout.write(JSON.stringify({
      clients: [first.producerClient, second.producerClient],
      stored: stored.map((r) => r.value.toString()),
      warnings: lines.filter((l) => l.level === 40).map((l) => l.msg),
      refused,
    }));
  `;
  const child = spawn(process.execPath, ['--require', preload, '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let errors = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, `the child failed: ${errors}`);
  const result = JSON.parse(out) as { clients: string[]; stored: string[]; warnings: string[]; refused: { code: string; message: string } | null };
  assert.deepEqual(result.clients, ['kafkajs', 'kafkajs']);
  assert.deepEqual(result.stored, ['published without librdkafka']);
  assert.equal(result.warnings.filter((w) => /librdkafka .* did not load: publishing with kafkajs/.test(w)).length, 1, `one warning per process: ${JSON.stringify(result.warnings)}`);
  assert.equal(result.refused?.code, 'AW_CONFIG_INVALID');
  assert.match(result.refused!.message, /kafka\.producerClient: rdkafka needs @confluentinc\/kafka-javascript, which did not load \(Cannot find module/);
});
