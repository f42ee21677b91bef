import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { instanceConfig } from '../../core/config.js';
import { createKafkaBus, type ConsumedRecord, type KafkaBus } from '../../core/kafka.js';
import { OktaConfigSchema } from '../../ingestors/okta/config.js';
import { CONNECTORS } from '../../ingestors/registry.js';
import { Connections } from '../../ingestors/runtime/connections.js';
import { ActionCatalog, governanceCommandId, readEnvelope, verifyCommand } from '../../processors/governance/index.js';
import { ensureTables, governanceCommandToRow, governanceResultToRow, TABLES } from '../../processors/sink/tables.js';
import { decode } from '../../schemas/registry.js';
import type { GovernanceCommand, GovernanceResult } from '../../schemas/types.js';
import type { GovernanceStatus } from '../../schemas/vocabulary.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { buildApp } from '../app.js';
import { testAuth, type TestAuth, type TestKeyName } from '../../test/support/auth.js';

const NOW = Math.floor(Date.now() / 1000) * 1000;
const MINUTE = 60_000;

let clickhouse: ClickHouse;
let bus: KafkaBus;
let app: FastifyInstance;
let bare: FastifyInstance;
let auth: TestAuth;
/** The principal id of a role's test key. */
let id: (who: TestKeyName) => string;
const published: ConsumedRecord[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

function cmd(n: number, overrides: Partial<GovernanceCommand> = {}): GovernanceCommand {
  const action = overrides.action ?? 'suspend_user';
  const target = overrides.target ?? { type: 'user', id: `00u${n}`, name: `user${n}@example.com` };
  return {
    command_id: governanceCommandId(`alert-${n}`, 'okta', overrides.instance ?? 'main', action, target.id),
    created_at: NOW - (10 - n) * MINUTE,
    provider: 'okta',
    instance: 'main',
    action,
    target,
    params: {},
    policy_id: n % 2 === 0 ? 'impossible-travel' : 'brute-force',
    alert_id: `alert-${n}`,
    requested_by: 'policy:test',
    mode: 'enforce',
    requires_approval: false,
    ...overrides,
  };
}

function steps(c: GovernanceCommand, statuses: GovernanceStatus[]): GovernanceResult[] {
  return statuses.map((status, i) => ({
    command_id: c.command_id, status, provider: c.provider, instance: c.instance, action: c.action, target: c.target,
    attempt: status === 'pending' || status === 'awaiting_approval' ? 0 : 1, at: c.created_at + (i + 1) * 10,
    message: status === 'failed' ? 'POST /api/v1/users/x/lifecycle/suspend answered 400' : null, retriable: false,
  }));
}

// Five commands in different states; one (pending) has no step yet.
const SUSPENDED = cmd(1);
const AWAITING = cmd(2, { requires_approval: true });
const FAILED = cmd(3);
const SESSIONS = cmd(4, { action: 'revoke_sessions', target: { type: 'user', id: '00u1', name: 'User1@Example.com' } });
const PENDING = cmd(5, { instance: 'emea' });
// Approved by someone, then carried out: undoing it needs an approval too.
const APPROVED = cmd(6, { requires_approval: true, target: { type: 'user', id: '00u6', name: 'user6@example.com' } });
const ALL = [SUSPENDED, AWAITING, FAILED, SESSIONS, PENDING];

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('gov_api'), log: testLog });
  cleanups.push(() => clickhouse.close());
  await ensureTables(clickhouse);
  await clickhouse.insert(TABLES.governanceCommands, ALL.map(governanceCommandToRow));
  await clickhouse.insert(TABLES.governanceLog, [
    ...steps(SUSPENDED, ['pending', 'running', 'succeeded']),
    ...steps(AWAITING, ['pending', 'awaiting_approval']),
    ...steps(FAILED, ['pending', 'running', 'failed']),
    ...steps(SESSIONS, ['pending', 'running', 'succeeded']),
  ].map(governanceResultToRow));

  bus = createKafkaBus({ brokers: testBrokers(), clientId: 'gov-api-test', prefix: freshName('govapi'), partitions: 2, replicationFactor: 1, log: testLog });
  cleanups.push(() => bus.disconnect());
  await bus.ensureTopics();
  await bus.consume({
    groupId: freshName('reader'), topics: [bus.topics.governanceCommand], fromBeginning: true, maxWaitTimeMs: 100,
    eachBatch: async (batch) => { published.push(...batch.records); },
  });
  const connectors = {
    okta: {
      main: instanceConfig(OktaConfigSchema, { orgUrl: 'http://127.0.0.1:9', token: 'not-used' }),
      emea: instanceConfig(OktaConfigSchema, { orgUrl: 'http://127.0.0.1:9', token: 'not-used' }),
    },
  };
  auth = await testAuth({ bus });
  cleanups.push(() => auth.stop());
  id = (who) => auth.keys.authenticate(auth.key(who))!.id;
  const connections = new Connections({ connectors, definitions: CONNECTORS, log: testLog });
  cleanups.push(async () => connections.close());
  app = await buildApp({
    clickhouse, log: testLog, maxPageSize: 50, bus, governanceActions: new ActionCatalog(connections), governanceSigningKey: SIGNING_KEY, security: auth.security,
  });
  bare = await buildApp({ clickhouse, log: testLog, maxPageSize: 50, security: auth.security });
  cleanups.push(() => app.close(), () => bare.close());
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Item { command_id: string; status: string; instance: string; action: string; policy_id: string | null; attempt: number; message: string | null; target: { id: string; name: string | null } }
type ErrorBody = { statusCode: number; code: string; message: string };

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method: 'GET', url, headers: auth.headers('analyst') });
  return { status: res.statusCode, body: res.json() as T };
}

/** A POST as a responder (or `who`) with a JSON body (`{}` when none is given). */
async function post<T>(url: string, payload: unknown = {}, on: FastifyInstance = app, who: TestKeyName = 'responder'): Promise<{ status: number; body: T }> {
  const res = await on.inject({ method: 'POST', url, headers: auth.headers(who), payload: payload as object });
  return { status: res.statusCode, body: res.json() as T };
}

const SIGNING_KEY = randomBytes(32);

/** The headers of a message the executor would accept (signed with the key), without the signature. */
function signedHeaders(m: { command: GovernanceCommand; headers: Record<string, string> }): Record<string, string> {
  const { 'aw-signature': signature, ...rest } = m.headers;
  assert.ok(verifyCommand(m.command, readEnvelope(m.headers), signature, SIGNING_KEY), 'signed with the governance key');
  return rest;
}

/** The `aw-requested-by` header of a message sent with `who`'s key. */
function requestedByHeader(who: TestKeyName): string {
  return JSON.stringify({ id: id(who), name: `test ${who}`, role: who });
}

/** The command messages published since `from` (index into `published`), decoded with their headers. */
async function publishedAfter(from: number, count: number): Promise<Array<{ command: GovernanceCommand; headers: Record<string, string> }>> {
  await waitFor(() => published.length >= from + count, { what: `${count} published command(s)` });
  // Plain objects: avsc decodes records into instances of generated classes.
  return published.slice(from, from + count).map((r) => ({ command: structuredClone({ ...decode(r.value!).record as GovernanceCommand }), headers: r.headers }));
}

describe('GET /v1/governance', () => {
  test('each command with its latest status, newest first; a command without steps is pending', async () => {
    const res = await get<{ items: Item[]; next_cursor: string | null }>('/v1/governance');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((i) => [i.command_id, i.status]), [
      [PENDING.command_id, 'pending'], [SESSIONS.command_id, 'succeeded'], [FAILED.command_id, 'failed'],
      [AWAITING.command_id, 'awaiting_approval'], [SUSPENDED.command_id, 'succeeded'],
    ]);
    const failed = res.body.items.find((i) => i.command_id === FAILED.command_id)!;
    assert.equal(failed.attempt, 1);
    assert.match(failed.message ?? '', /answered 400/);
    assert.equal(res.body.next_cursor, null);
  });

  test('filters: status, provider, instance, target (id or name), policy, action', async () => {
    const ids = async (query: string) => (await get<{ items: Item[] }>(`/v1/governance?${query}`)).body.items.map((i) => i.command_id);
    assert.deepEqual(await ids('status=succeeded'), [SESSIONS.command_id, SUSPENDED.command_id]);
    assert.deepEqual(await ids('status=pending'), [PENDING.command_id]);
    assert.deepEqual(await ids('instance=emea&provider=okta'), [PENDING.command_id]);
    assert.deepEqual(await ids('provider=box'), []);
    assert.deepEqual(await ids('target=00u1'), [SESSIONS.command_id, SUSPENDED.command_id]);
    assert.deepEqual(await ids('target=user1%40example.com'), [SESSIONS.command_id, SUSPENDED.command_id]);
    assert.deepEqual(await ids('policy=impossible-travel'), [SESSIONS.command_id, AWAITING.command_id]);
    assert.deepEqual(await ids('action=revoke_sessions'), [SESSIONS.command_id]);
  });

  test('keyset pages neither repeat nor skip a command', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: { status: number; body: { items: Item[]; next_cursor: string | null } } =
        await get(`/v1/governance?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(page.status, 200);
      seen.push(...page.body.items.map((x) => x.command_id));
      cursor = page.body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, [PENDING, SESSIONS, FAILED, AWAITING, SUSPENDED].map((c) => c.command_id));
  });

  test('invalid parameters are refused with the parameter named', async () => {
    const cases: Array<[string, RegExp]> = [
      ['status=done', /querystring\.status must be one of pending, awaiting_approval/],
      ['limit=0', /querystring\.limit/],
      ['limit=51', /querystring\.limit must be <= 50/],
      ['cursor=bogus', /querystring\.cursor/],
      ['colour=red', /querystring\.colour is not a known parameter/],
    ];
    for (const [query, message] of cases) {
      const res = await get<ErrorBody>(`/v1/governance?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, 'AW_BAD_REQUEST');
      assert.match(res.body.message, message);
    }
  });
});

describe('GET /v1/governance/:id', () => {
  test('the command and every step, oldest first', async () => {
    const res = await get<{ command: Item; history: Array<{ status: string; at: string }> }>(`/v1/governance/${FAILED.command_id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.command.status, 'failed');
    assert.deepEqual(res.body.history.map((s) => s.status), ['pending', 'running', 'failed']);
  });

  test('an unknown id is 404, a malformed one 400', async () => {
    const unknown = await get<ErrorBody>(`/v1/governance/${'f'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'AW_NOT_FOUND');
    const bad = await get<ErrorBody>('/v1/governance/not-an-id');
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /params\.id/);
  });
});

describe('POST /v1/governance', () => {
  const body = { provider: 'okta', instance: 'main', action: 'suspend_user', target: { type: 'user', id: '00u9', name: 'nine@example.com' } };

  test('publishes a command with a deterministic id and answers 202 with it', async () => {
    const from = published.length;
    const first = await post<{ command_id: string; status: string }>('/v1/governance', { ...body, request_id: 'ticket-42', requires_approval: true, params: { reason: 'phished' } });
    assert.equal(first.status, 202);
    assert.equal(first.body.status, 'pending');
    assert.equal(first.body.command_id, governanceCommandId('request:ticket-42', 'okta', 'main', 'suspend_user', '00u9'));
    const again = await post<{ command_id: string }>('/v1/governance', { ...body, request_id: 'ticket-42', requires_approval: true, params: { reason: 'phished' } });
    assert.equal(again.body.command_id, first.body.command_id, 'the same request is the same command');
    const other = await post<{ command_id: string }>('/v1/governance', { ...body, dry_run: true });
    assert.notEqual(other.body.command_id, first.body.command_id, 'a request without request_id is a new command');

    const [message, , dry] = await publishedAfter(from, 3);
    assert.deepEqual({ ...message!.command, created_at: 0 }, {
      command_id: first.body.command_id, created_at: 0, provider: 'okta', instance: 'main', action: 'suspend_user',
      target: { type: 'user', id: '00u9', name: 'nine@example.com' }, params: { reason: 'phished' }, policy_id: null, alert_id: null,
      requested_by: id('responder'), mode: 'enforce', requires_approval: true,
    });
    assert.deepEqual(signedHeaders(message!), { 'aw-requested-by': requestedByHeader('responder') });
    assert.equal(dry!.command.mode, 'dry_run');
    assert.equal(dry!.command.requested_by, id('responder'));
  });

  test('invalid bodies are refused with the field named', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...body, provider: undefined }, /body\.provider/],
      [{ ...body, provider: 'myspace' }, /body\.provider must be one of office365, box, okta/],
      [{ ...body, action: 'delete_everything' }, /body\.action must be one of/],
      [{ ...body, target: { type: 'user' } }, /body\.target\.id/],
      [{ ...body, target: { ...body.target, type: 'planet' } }, /body\.target\.type must be one of/],
      [{ ...body, params: { group_id: { id: 7 } } }, /body\.params\.group_id/],
      [{ ...body, urgent: true }, /body\.urgent is not a known parameter/],
      [{ ...body, instance: 'nowhere' }, /body\.instance: no connector instance okta\.nowhere is configured/],
      [{ ...body, requested_by: 'ana' }, /body\.requested_by is not a known parameter/],
    ];
    for (const [payload, message] of cases) {
      const res = await post<ErrorBody>('/v1/governance', payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      assert.equal(res.body.code, 'AW_BAD_REQUEST');
      assert.match(res.body.message, message);
    }
  });

  test('an API without Kafka cannot publish and says so', async () => {
    const res = await post<ErrorBody>('/v1/governance', body, bare);
    assert.equal(res.status, 503);
    assert.equal(res.body.code, 'AW_NOT_READY');
  });
});

describe('approve, retry, revert', () => {
  test('approve needs awaiting_approval, retry needs failed; both republish the command with the intent', async () => {
    const wrongApprove = await post<ErrorBody>(`/v1/governance/${FAILED.command_id}/approve`);
    assert.equal(wrongApprove.status, 409);
    assert.equal(wrongApprove.body.code, 'AW_GOVERNANCE_CONFLICT');
    assert.match(wrongApprove.body.message, /is failed; only a command that is awaiting_approval can be approved/);
    const wrongRetry = await post<ErrorBody>(`/v1/governance/${AWAITING.command_id}/retry`, {});
    assert.equal(wrongRetry.status, 409);
    assert.match(wrongRetry.body.message, /only a command that is failed can be retried/);

    const from = published.length;
    assert.equal((await post(`/v1/governance/${AWAITING.command_id}/approve`)).status, 202);
    assert.equal((await post(`/v1/governance/${FAILED.command_id}/retry`, {}, app, 'admin')).status, 202);
    const [approve, retry] = await publishedAfter(from, 2);
    assert.deepEqual(approve!.command, AWAITING);
    assert.deepEqual(signedHeaders(approve!), { 'aw-intent': 'approve', 'aw-requested-by': requestedByHeader('responder') });
    assert.deepEqual(retry!.command, FAILED);
    assert.deepEqual(signedHeaders(retry!), { 'aw-intent': 'retry', 'aw-requested-by': requestedByHeader('admin') });
    assert.equal((await post<ErrorBody>(`/v1/governance/${'f'.repeat(32)}/approve`)).status, 404);
    assert.match((await post<ErrorBody>(`/v1/governance/${AWAITING.command_id}/approve`, { who: 'x' })).body.message, /body\.who is not a known parameter/);
  });

  test('revert publishes the inverse as a new command; an action without inverse, or not succeeded, is a 409', async () => {
    const noInverse = await post<ErrorBody>(`/v1/governance/${SESSIONS.command_id}/revert`);
    assert.equal(noInverse.status, 409);
    assert.equal(noInverse.body.code, 'AW_GOVERNANCE_NOT_REVERSIBLE');
    assert.match(noInverse.body.message, /revoke_sessions on okta\.main has no inverse action/);
    const notDone = await post<ErrorBody>(`/v1/governance/${FAILED.command_id}/revert`);
    assert.equal(notDone.status, 409);
    assert.equal(notDone.body.code, 'AW_GOVERNANCE_CONFLICT');

    const from = published.length;
    const res = await post<{ command_id: string; reverts: string }>(`/v1/governance/${SUSPENDED.command_id}/revert`);
    assert.equal(res.status, 202);
    assert.equal(res.body.reverts, SUSPENDED.command_id);
    const [revert] = await publishedAfter(from, 1);
    assert.equal(revert!.command.command_id, res.body.command_id);
    assert.equal(revert!.command.action, 'unsuspend_user');
    assert.deepEqual(revert!.command.target, SUSPENDED.target);
    assert.equal(revert!.command.requested_by, id('responder'));
    assert.equal(revert!.command.requires_approval, false, 'the action needed no approval, nor does its revert');
    assert.equal(revert!.headers['aw-reverts'], SUSPENDED.command_id);
  });

  test('separation of duties: the requester of a command cannot approve it; someone else can', async () => {
    const before = published.length;
    const asked = await post<{ command_id: string }>('/v1/governance', {
      provider: 'okta', instance: 'main', action: 'suspend_user', target: { type: 'user', id: '00u77' }, requires_approval: true,
    });
    assert.equal(asked.status, 202);
    // What the sink and the executor would record: the command as asked, awaiting approval.
    const [message] = await publishedAfter(before, 1);
    await clickhouse.insert(TABLES.governanceCommands, [governanceCommandToRow(message!.command)]);
    await clickhouse.insert(TABLES.governanceLog, steps(message!.command, ['pending', 'awaiting_approval']).map(governanceResultToRow));

    const self = await post<ErrorBody>(`/v1/governance/${asked.body.command_id}/approve`);
    assert.equal(self.status, 403);
    assert.equal(self.body.code, 'AW_SEPARATION_OF_DUTIES');
    const from = published.length;
    assert.equal((await post(`/v1/governance/${asked.body.command_id}/approve`, {}, app, 'admin')).status, 202);
    const [approve] = await publishedAfter(from, 1);
    assert.equal(approve!.headers['aw-intent'], 'approve');
    assert.equal(approve!.headers['aw-requested-by'], requestedByHeader('admin'));
  });

  test('a revert needs the same approval as the action it reverts', async () => {
    await clickhouse.insert(TABLES.governanceCommands, [governanceCommandToRow(APPROVED)]);
    await clickhouse.insert(TABLES.governanceLog, steps(APPROVED, ['pending', 'awaiting_approval', 'running', 'succeeded']).map(governanceResultToRow));
    const from = published.length;
    const res = await post<{ command_id: string }>(`/v1/governance/${APPROVED.command_id}/revert`);
    assert.equal(res.status, 202);
    const [revert] = await publishedAfter(from, 1);
    assert.equal(revert!.command.action, 'unsuspend_user');
    assert.equal(revert!.command.requires_approval, true);
    assert.equal(revert!.command.requested_by, id('responder'));
  });
});
