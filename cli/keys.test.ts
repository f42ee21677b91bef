import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { KeyStore } from '../api/auth/key-store.js';
import { parseAuditTrailEntry, type AuditTrailEntry } from '../core/audit-trail.js';
import { createKafkaBus, type KafkaBus } from '../core/kafka.js';
import { freshName, testBrokers } from '../test/support/fresh.js';
import { testLog } from '../test/support/stack.js';
import { waitFor } from '../test/support/wait-for.js';
import { runKeysCommand } from './keys.js';
import { PROJECT_ROOT } from './main.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(chunk, _e, done) { text += String(chunk); done(); } }), text: () => text };
}

async function run(bus: KafkaBus, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const code = await runKeysCommand(args, { stdout: out.stream, stderr: err.stream }, async () => ({ bus, close: async () => undefined }), testLog);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('appwarden keys', () => {
  test('create prints the key once; it works in the API key store; list never shows it; revoke stops it; each change is in the audit trail', async () => {
    const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'keys-cli-test', prefix: freshName('keys'), partitions: 1, replicationFactor: 1, log: testLog });
    cleanups.push(() => bus.disconnect());
    await bus.ensureTopics();

    const created = await run(bus, ['create', '--name', 'siem export', '--role', 'analyst', '--raw']);
    assert.equal(created.code, 0, created.stderr);
    const key = /^(awk_\S+)$/m.exec(created.stdout)?.[1];
    assert.ok(key, created.stdout);
    const id = key.slice(4, 20);
    const api = new KeyStore({ bus, log: testLog });
    await api.start();
    cleanups.push(() => api.stop());
    assert.deepEqual(api.authenticate(key), { id: `key:${id}`, name: 'siem export', role: 'analyst', raw: true });

    const listed = await run(bus, ['list']);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, new RegExp(`^${id}\\s+analyst\\+raw\\s+\\S+\\s+active\\s+siem export$`, 'm'));
    assert.equal(listed.stdout.includes(key), false);

    const revoked = await run(bus, ['revoke', id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    await waitFor(() => api.authenticate(key) === null, { what: 'the revocation in the API store' });
    assert.match((await run(bus, ['list'])).stdout, /revoked \d{4}-/);

    const entries: AuditTrailEntry[] = [];
    const reader = await bus.consume({
      groupId: freshName('trail'), topics: [bus.topics.auditTrail], fromBeginning: true,
      eachBatch: async (batch) => { for (const r of batch.records) entries.push(parseAuditTrailEntry(r.value!)); },
    });
    cleanups.push(() => reader.stop());
    await waitFor(() => entries.length >= 2, { what: 'two audit trail entries' });
    assert.deepEqual(entries.map((e) => [e.action, e.target, e.actor_role, e.ip]), [['cli keys create', id, 'admin', null], ['cli keys revoke', id, 'admin', null]]);
    assert.match(entries[0]!.actor_id, /^cli:/);
  });

  test('usage errors exit 2 and name what is missing; a real run of the command lists the keys', async () => {
    const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'keys-cli-test', prefix: freshName('keys'), partitions: 1, replicationFactor: 1, log: testLog });
    cleanups.push(() => bus.disconnect());
    for (const [args, message] of [
      [['create', '--name', 'x', '--role', 'root'], /--role \(analyst, policy-author, responder, admin\)/],
      [['revoke'], /one key id/],
      [['rotate'], /unknown keys command "rotate"/],
    ] as const) {
      const res = await run(bus, [...args]);
      assert.equal(res.code, 2);
      assert.match(res.stderr, message);
    }
    const prefix = freshName('keyscli');
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/appwarden.mjs'), 'keys', 'create', '--name', 'ops', '--role', 'responder'], {
      env: { ...process.env, KAFKA_BROKERS: testBrokers().join(','), KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '1', LOG_LEVEL: 'warn' },
    });
    assert.match(stdout, /^awk_/m);
    const list = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/appwarden.mjs'), 'keys', 'list'], {
      env: { ...process.env, KAFKA_BROKERS: testBrokers().join(','), KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '1', LOG_LEVEL: 'warn' },
    });
    assert.match(list.stdout, /\s+responder\s+.*active\s+ops$/m);
  });
});
