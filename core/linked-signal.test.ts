import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { linkSignals } from './linked-signal.js';

describe('linkSignals', () => {
  test('aborts with the reason of the source that aborted first', () => {
    const process = new AbortController();
    const request = new AbortController();
    const link = linkSignals([process.signal, undefined, request.signal]);
    request.abort(new Error('request cancelled'));
    assert.equal(link.signal?.aborted, true);
    assert.equal((link.signal?.reason as Error).message, 'request cancelled');
    assert.equal(getEventListeners(process.signal, 'abort').length, 0, 'the other source is unlinked');
  });

  test('a source already aborted gives an aborted signal', () => {
    const link = linkSignals([new AbortController().signal, AbortSignal.abort('gone')]);
    assert.equal(link.signal?.aborted, true);
    assert.equal(link.signal?.reason, 'gone');
  });

  test('one signal or none is passed through', () => {
    const only = new AbortController().signal;
    assert.equal(linkSignals([undefined, only, only]).signal, only);
    assert.equal(linkSignals([undefined]).signal, undefined);
  });

  test('a long-lived source keeps nothing of the links disposed: its listeners stay bounded', () => {
    const process = new AbortController();
    const inFlight = [];
    for (let i = 0; i < 10_000; i++) {
      const link = linkSignals([process.signal, new AbortController().signal]);
      inFlight.push(link);
      if (inFlight.length > 4) inFlight.shift()!.dispose();
    }
    assert.equal(getEventListeners(process.signal, 'abort').length, 4, 'only the links still in flight');
    process.abort('stopping');
    assert.ok(inFlight.every((l) => l.signal?.aborted && l.signal.reason === 'stopping'), 'the links in flight are aborted');
    assert.equal(getEventListeners(process.signal, 'abort').length, 0);
  });
});
