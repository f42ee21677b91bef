import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEvent } from '../../schemas/types.js';
import { compilePolicy } from './compile.js';
import { Evaluator } from './evaluator.js';
import { loadGeoIpLocator } from './geoip.js';

// This suite uses the real geoip-lite database. It is skipped ONLY when the package itself cannot be
// imported (not installed); any other failure to load it fails the suite.
const MODULE = 'geoip-lite';
let skip: string | false = false;
try {
  await import(MODULE);
} catch (err) {
  const e = err as { code?: string; message?: string };
  if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message?.includes(`'${MODULE}'`)) skip = 'geoip-lite is not installed; add the dependency to run this suite';
  else throw err;
}

describe('impossible travel with the real geoip-lite database', { skip }, () => {
  test('locates public addresses by country, and no private ones', async () => {
    const geo = await loadGeoIpLocator();
    assert.equal(geo.locate('83.45.236.142')?.country, 'ES'); // the Okta sample's Madrid address
    assert.equal(geo.locate('8.8.8.8')?.country, 'US');
    assert.equal(geo.locate('10.1.2.3'), null);
    assert.equal(geo.locate('not an address'), null);
  });

  test('a sign-in in Spain then one in the United States an hour later is impossible travel', async () => {
    const geo = await loadGeoIpLocator();
    const policy = compilePolicy({
      id: 'travel', name: 'Travel', kind: 'activity', severity: 'high',
      detection: { login: { action: 'login', outcome: 'success' }, condition: 'login' },
      impossible_travel: { group_by: ['actor.email'] },
      alert: { title: '{{from}} → {{to}}' },
    });
    const login = (id: string, ip: string, at: string): AuditEvent => ({
      event_id: id, provider: 'okta', instance: 'default', occurred_at: Date.parse(at), ingested_at: Date.parse(at), category: 'logon',
      action: 'login', action_raw: 'user.session.start', outcome: 'success', outcome_reason: null, severity: 'info',
      actor: { id: '00u1', email: 'ana@example.com', name: null, type: 'user' }, targets: [],
      source: { ip, user_agent: null, country: null, city: null }, session_id: null, request_id: null, class_uid: 3002, activity_id: 1,
      attributes: {}, raw: '{}',
    });
    const evaluator = new Evaluator([policy], { geo });
    assert.deepEqual(evaluator.process(login('a', '83.45.236.142', '2024-03-01T08:00:00Z')).alerts, []);
    const second = evaluator.process(login('b', '8.8.8.8', '2024-03-01T09:00:00Z'));
    assert.equal(second.alerts.length, 1);
    assert.match(second.alerts[0]!.alert.title, /ES.*→.*US/);
  });
});
