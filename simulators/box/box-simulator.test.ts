import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../core/logger.js';
import { jwtAssertion } from '../../ingestors/box/auth.js';
import { POSITION_BASE, startBoxSimulator, type BoxSimulator } from './index.js';

let sim: BoxSimulator;
let token: string;
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const ccg = () => ({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, box_subject_type: 'enterprise', box_subject_id: sim.enterpriseId });
const api = (path: string, headers: Record<string, string> = {}) => fetch(`${sim.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

before(async () => {
  sim = await startBoxSimulator({ log: silentLogger, seed: 'box-sim-test', users: 8, groups: 2, eventsPerDay: 200, days: 1, streamingRepeatFraction: 1 });
  token = ((await (await fetch(sim.tokenUrl, form(ccg()))).json()) as { access_token: string }).access_token;
});
after(() => sim.close());

describe('Box simulator over HTTP', () => {
  test('the token endpoint refuses as Box does: wrong secret, wrong enterprise, a JWT signed with another key, a reused jti', async () => {
    const wrong = await fetch(sim.tokenUrl, form({ ...ccg(), client_secret: 'nope' }));
    assert.deepEqual([wrong.status, ((await wrong.json()) as { error: string }).error], [400, 'invalid_client']);
    const elsewhere = await fetch(sim.tokenUrl, form({ ...ccg(), box_subject_id: '1' }));
    assert.deepEqual([elsewhere.status, ((await elsewhere.json()) as { error: string }).error], [400, 'invalid_grant']);
    const jwt = (privateKey: string, passphrase?: string) => jwtAssertion({
      authMethod: 'jwt', clientId: sim.clientId, clientSecret: sim.clientSecret, enterpriseId: sim.enterpriseId, tokenUrl: sim.tokenUrl,
      jwt: { publicKeyId: sim.publicKeyId, privateKey, ...(passphrase ? { passphrase } : {}) },
    });
    const grant = (assertion: string) => fetch(sim.tokenUrl, form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, client_id: sim.clientId, client_secret: sim.clientSecret }));
    const good = jwt(sim.privateKey!, sim.passphrase!);
    assert.equal((await grant(good)).status, 200);
    assert.equal((await grant(good)).status, 400, 'a jti is used once');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const forged = await grant(jwt(stranger.privateKey));
    assert.deepEqual([forged.status, ((await forged.json()) as { error: string }).error], [400, 'invalid_grant']);
  });

  test('a wrong token answers 401 with no body and WWW-Authenticate invalid_token; a denied scope 403 insufficient_scope', async () => {
    const res = await fetch(`${sim.apiUrl}/users`, { headers: { authorization: 'Bearer forged' } });
    assert.equal(res.status, 401);
    assert.equal(await res.text(), '');
    assert.match(res.headers.get('www-authenticate')!, /error="invalid_token"/);
    sim.deny('manage_managed_users');
    const denied = await api('/users');
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get('www-authenticate')!, /insufficient_scope/);
    assert.equal(((await denied.json()) as { code: string }).code, 'access_denied_insufficient_permissions');
    sim.allow('manage_managed_users');
  });

  test('users page by marker and by offset; 429 carries retry-after and rate_limit_exceeded', async () => {
    const first = (await (await api('/users?usemarker=true&limit=3&fields=id,login')).json()) as { entries: Array<{ id: string; login: string; role?: string }>; next_marker: string };
    assert.equal(first.entries.length, 3);
    assert.equal(first.entries[0]!.role, undefined, 'only the fields asked for');
    const second = (await (await api(`/users?usemarker=true&limit=3&marker=${first.next_marker}`)).json()) as { entries: Array<{ id: string }> };
    assert.notEqual(second.entries[0]!.id, first.entries[0]!.id);
    const byOffset = (await (await api('/users?offset=3&limit=3')).json()) as { total_count: number; entries: Array<{ id: string }> };
    assert.deepEqual([byOffset.total_count, byOffset.entries[0]!.id], [sim.tenant.users.length, second.entries[0]!.id]);
    sim.throttleNext(1);
    const throttled = await api('/users');
    assert.deepEqual([throttled.status, throttled.headers.get('retry-after')], [429, '1']);
    assert.equal(((await throttled.json()) as { code: string }).code, 'rate_limit_exceeded');
  });

  test('admin_logs_streaming: positions above 2^53 as bare JSON numbers; pages repeat and reorder events', async () => {
    const now = await (await api('/events?stream_type=admin_logs_streaming&stream_position=now')).text();
    const position = /"next_stream_position":(\d+)/.exec(now)![1]!;
    assert.ok(BigInt(position) > 2n ** 53n && BigInt(position) >= POSITION_BASE);
    const item = [...sim.tenant.items.values()].find((i) => i.sharedLink === null)!;
    sim.shareItem(item.type, item.id, 'company');
    sim.shareItem(item.type, item.id, 'open');
    const page = JSON.parse((await (await api(`/events?stream_type=admin_logs_streaming&stream_position=${position}`)).text()).replace(/("next_stream_position":)(\d+)/, '$1"$2"')) as { entries: Array<{ event_id: string }>; next_stream_position: string };
    assert.equal(page.entries.length, 3, 'two events, one of them repeated');
    assert.equal(new Set(page.entries.map((e) => e.event_id)).size, 2);
    assert.equal(BigInt(page.next_stream_position), BigInt(position) + 2n);
  });

  test('As-User shows a user their own tree; another user sees only what is shared with them', async () => {
    const owner = sim.tenant.users[3]!;
    const root = (await (await api('/folders/0/items?usemarker=true', { 'as-user': owner.id })).json()) as { entries: Array<{ owned_by: { id: string } }> };
    assert.ok(root.entries.some((e) => e.owned_by.id === owner.id));
    const mine = [...sim.tenant.items.values()].find((i) => i.owner === owner.id && i.type === 'file')!;
    const stranger = sim.tenant.users.find((u) => u.status === 'active' && u.id !== owner.id && !sim.tenant.canSee(u.id, mine))!;
    assert.equal((await api(`/files/${mine.id}`, { 'as-user': stranger.id })).status, 404);
    assert.equal((await api(`/files/${mine.id}`, { 'as-user': owner.id })).status, 200);
  });
});
