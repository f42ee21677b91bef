import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler } from '../../ingestors/contract.js';
import { HttpClient } from '../../ingestors/runtime/http-client.js';
import { startServer } from '../../test/support/http-server.js';
import { testLog } from '../../test/support/stack.js';
import { describeFailure, runAction, type ActionRunSettings } from './action-runner.js';

const SETTINGS: ActionRunSettings = { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 1000 }, verify: { attempts: 3, delayMs: 5 } };
const TARGET = { type: 'user' as const, id: '00u1' };

/** Records the attempts and pauses instead of sleeping. */
function hooks() {
  const attempts: Array<{ n: number; previous: unknown }> = [];
  const pauses: number[] = [];
  return {
    attempts, pauses,
    onAttempt: async (n: number, previous: unknown) => { attempts.push({ n, previous }); },
    pause: async (ms: number) => { pauses.push(ms); },
  };
}

const signal = new AbortController().signal;

describe('runAction', () => {
  test('retries what may pass, waiting at least what the provider asked, then verifies', async () => {
    const failures = [
      new AppwardenError('AW_PROVIDER_UNAVAILABLE', 'POST /x answered 503'),
      new AppwardenError('AW_PROVIDER_THROTTLED', 'wait', { details: { waitMs: 700 } }),
    ];
    let checks = 0;
    const handler: ActionHandler = {
      run: async () => { const f = failures.shift(); if (f) throw f; return { status: 'applied', message: 'done' }; },
      verify: async () => ++checks >= 2,
    };
    const h = hooks();
    const outcome = await runAction(handler, TARGET, {}, SETTINGS, h, signal);
    assert.deepEqual(outcome, { kind: 'succeeded', result: { status: 'applied', message: 'done' } });
    assert.deepEqual(h.attempts.map((a) => a.n), [1, 2, 3]);
    assert.match(String(h.attempts[1]!.previous), /503/);
    assert.ok(h.pauses[0]! <= 10, 'the first backoff is within the base delay');
    assert.ok(h.pauses[1]! >= 700, 'the throttle wait is honoured');
    assert.equal(h.pauses.length, 3, 'two retries and one pause between verify checks');
    assert.equal(checks, 2);
  });

  test('a refusal is not retried; running out of attempts keeps the retriable flag', async () => {
    const refused = await runAction({ run: async () => { throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', 'answered 400'); } }, TARGET, {}, SETTINGS, hooks(), signal);
    assert.equal(refused.kind, 'failed');
    assert.equal(refused.kind === 'failed' && refused.retriable, false);
    const h = hooks();
    const exhausted = await runAction({ run: async () => { throw new AppwardenError('AW_PROVIDER_UNAVAILABLE'); } }, TARGET, {}, SETTINGS, h, signal);
    assert.equal(exhausted.kind === 'failed' && exhausted.retriable, true);
    assert.equal(h.attempts.length, 3);
  });

  test('an effect that never shows is not_verified after the configured checks; a noop is not re-read', async () => {
    let checks = 0;
    const never: ActionHandler = { run: async () => ({ status: 'applied' }), verify: async () => { checks++; return false; } };
    const outcome = await runAction(never, TARGET, {}, SETTINGS, hooks(), signal);
    assert.equal(outcome.kind, 'not_verified');
    assert.equal(checks, 3);
    checks = 0;
    const noop = await runAction({ ...never, run: async () => ({ status: 'noop' }) }, TARGET, {}, SETTINGS, hooks(), signal);
    assert.equal(noop.kind, 'succeeded');
    assert.equal(checks, 0);
  });

  test('a stop during the action rejects, leaving the command to be carried on', async () => {
    const stop = new AbortController();
    const handler: ActionHandler = { run: async () => { stop.abort(new Error('stopping')); throw new AppwardenError('AW_PROVIDER_UNAVAILABLE'); } };
    await assert.rejects(runAction(handler, TARGET, {}, SETTINGS, hooks(), stop.signal), /stopping/);
  });

  test('describeFailure adds what the provider said', () => {
    const err = new AppwardenError('AW_PROVIDER_REQUEST_FAILED', 'POST /api/v1/users/x/lifecycle/suspend answered 400', {
      details: { body: JSON.stringify({ errorCode: 'E0000001', errorSummary: 'Api validation failed: suspend', errorCauses: [{ errorSummary: 'Cannot suspend a user that is not active' }] }) },
    });
    assert.equal(describeFailure(err), 'POST /api/v1/users/x/lifecycle/suspend answered 400: Api validation failed: suspend; Cannot suspend a user that is not active');
    assert.equal(describeFailure(new Error('plain')), 'plain');
  });
});

describe('runAction over a provider that applies a change but never answers', () => {
  test('the change is sent once; the re-read shows it applied; a GET still retries', async () => {
    let suspended = false;
    const server = await startServer((req) => {
      if (req.method === 'POST') {
        suspended = true;
        return { hang: true };
      }
      return { body: { status: suspended ? 'SUSPENDED' : 'ACTIVE' } };
    });
    try {
      const http = new HttpClient({
        baseUrl: server.url, limits: { concurrency: 2 }, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxThrottleWaitMs: 1000 },
        timeoutMs: 300, log: testLog,
      });
      const handler: ActionHandler = {
        run: async () => {
          await http.request({ method: 'POST', path: '/api/v1/users/00u1/lifecycle/suspend' });
          return { status: 'applied' };
        },
        verify: async () => (await http.request<{ status: string }>({ path: '/api/v1/users/00u1' })).body.status === 'SUSPENDED',
      };
      const outcome = await runAction(handler, TARGET, {}, SETTINGS, hooks(), signal);
      assert.equal(outcome.kind, 'succeeded');
      assert.equal(server.seen.filter((r) => r.method === 'POST').length, 1, 'the change was sent once');
      // Outside an action, the same unanswered POST is an ordinary failure, retried.
      const err = await http.request({ method: 'POST', path: '/api/v1/users/00u2/lifecycle/suspend' }).catch((e: unknown) => e);
      assert.equal((err as AppwardenError).code, 'AW_PROVIDER_UNAVAILABLE');
      assert.equal(server.seen.filter((r) => r.url.includes('00u2')).length, 3);
    } finally {
      await server.close();
    }
  });
});
