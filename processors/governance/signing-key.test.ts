import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { GovernanceCommand } from '../../schemas/types.js';
import { freshDir } from '../../test/support/fresh.js';
import { testLog } from '../../test/support/stack.js';
import { commandMessage, readEnvelope, signCommand, SIGNATURE_HEADER, verifyCommand } from './command-message.js';
import { governanceSigningKey } from './signing-key.js';

const COMMAND: GovernanceCommand = {
  command_id: 'c'.repeat(32), created_at: 1_700_000_000_000, provider: 'okta', instance: 'main', action: 'suspend_user',
  target: { type: 'user', id: '00u1', name: 'ana@example.com' }, params: { b: '2', a: '1' }, policy_id: null, alert_id: null,
  requested_by: 'user:ana', mode: 'enforce', requires_approval: false,
};

describe('governance signing key', () => {
  test('generated once into the key file (0600, folder 0700) and read back by the next process; a configured key wins', () => {
    const file = path.join(freshDir('aw-key'), 'keys', 'governance.key');
    const first = governanceSigningKey({ signingKeyFile: file }, testLog);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.deepEqual(governanceSigningKey({ signingKeyFile: file }, testLog), first);
    const configured = 'k'.repeat(40);
    assert.deepEqual(governanceSigningKey({ signingKey: configured, signingKeyFile: file }, testLog), Buffer.from(configured));
  });

  test('the signature covers every field of the command and its envelope, whatever the order of params', () => {
    const key = Buffer.from('a'.repeat(32));
    const signature = signCommand(COMMAND, key);
    assert.equal(signCommand({ ...COMMAND, params: { a: '1', b: '2' } }, key), signature);
    assert.ok(verifyCommand(COMMAND, { intent: 'execute' }, signature, key));
    for (const changed of <GovernanceCommand[]>[
      { ...COMMAND, target: { ...COMMAND.target, id: '00u2' } }, { ...COMMAND, mode: 'dry_run' }, { ...COMMAND, params: { a: '1' } },
      { ...COMMAND, requested_by: 'user:mallory' }, { ...COMMAND, requires_approval: true },
    ]) assert.equal(verifyCommand(changed, { intent: 'execute' }, signature, key), false);
    assert.equal(verifyCommand(COMMAND, { intent: 'approve' }, signature, key), false, 'an approval needs its own signature');
    assert.equal(verifyCommand(COMMAND, { intent: 'execute' }, signature, Buffer.from('b'.repeat(32))), false);
    const message = commandMessage(COMMAND, { intent: 'retry', requestedBy: { id: 'key:ana', name: 'ana', role: 'admin' } }, key);
    assert.ok(verifyCommand(COMMAND, readEnvelope(message.headers!), message.headers![SIGNATURE_HEADER], key));
    assert.equal(verifyCommand(COMMAND, { ...readEnvelope(message.headers!), requestedBy: { id: 'key:ana', name: 'ana', role: 'responder' } }, message.headers![SIGNATURE_HEADER], key), false);
  });
});
