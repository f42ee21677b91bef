import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AppwardenError } from '../../core/errors.js';
import { FailedPassLog, THROTTLED_PASSES_BEFORE_ERROR } from './failed-pass-log.js';

function captured(): { log: pino.Logger; levels: () => Array<[string, string]> } {
  const lines: Array<{ level: number; stream: string }> = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const log = pino({ level: 'debug' }, sink);
  return { log, levels: () => lines.map((l) => [pino.levels.labels[l.level]!, l.stream]) };
}

const throttled = () => new AppwardenError('AW_PROVIDER_THROTTLED', 'throttled', { retriable: true, details: { waitMs: 1000 } });

test('a throttled pass is a warning until the stream has been throttled pass after pass; any other failure is an error', async () => {
  const { log, levels } = captured();
  const passes = new FailedPassLog(log as never);
  for (let i = 0; i < THROTTLED_PASSES_BEFORE_ERROR; i++) passes.failed('audit', throttled());
  passes.failed('users', throttled());
  passes.failed('users', new AppwardenError('AW_PROVIDER_UNAVAILABLE', 'boom', { retriable: true }));
  passes.failed('users', throttled());
  passes.succeeded('audit');
  passes.failed('audit', throttled());
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(levels(), [
    ...Array.from({ length: THROTTLED_PASSES_BEFORE_ERROR - 1 }, () => ['warn', 'audit']),
    ['error', 'audit'],
    ['warn', 'users'],
    ['error', 'users'],
    ['warn', 'users'],
    ['warn', 'audit'],
  ]);
});
