import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { otherBrokerUsers, registerBrokerUser } from './local-kafka-users.js';

test('broker users: another live process holds the broker; a dead one is forgotten; leaving removes the entry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aw-broker-users-'));
  const leave = await registerBrokerUser(dir);
  assert.deepEqual(await otherBrokerUsers(dir), [], 'only this process uses it');

  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  await registerBrokerUser(dir, other.pid!);
  assert.deepEqual(await otherBrokerUsers(dir), [other.pid], 'a live user keeps it');

  const exited = new Promise((resolve) => other.once('exit', resolve));
  other.kill('SIGKILL');
  await exited;
  assert.deepEqual(await otherBrokerUsers(dir), [], 'a killed user no longer counts');

  await leave();
  assert.deepEqual(await otherBrokerUsers(dir, -1), []);
});
