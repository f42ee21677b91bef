import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServiceNowSimulator, type ServiceNowSimulator } from './index.js';

let sim: ServiceNowSimulator;
let auth: string;
before(async () => {
  sim = await startServiceNowSimulator({ seed: 'unit', users: 6, eventsPerDay: 200, days: 1, timeZone: 'Asia/Tokyo' });
  auth = `Basic ${Buffer.from(`${sim.options.username}:${sim.options.password}`).toString('base64')}`;
});
after(() => sim.close());

type Row = Record<string, unknown>;
/** A Table API answer: `result` rows, or the error body (`error`, `status: 'failure'`). */
interface TableAnswer { result: Row[]; error: { message: string; detail: string }; status?: string }

const get = async (path: string, headers: Record<string, string> = { authorization: auth }) => {
  const res = await fetch(`${sim.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: await res.json() as TableAnswer };
};

describe('ServiceNow simulator', () => {
  test('refuses a request without credentials with the Table API error body', async () => {
    const res = await get('/api/now/table/sys_user', {});
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' });
  });

  test('pages with Link and X-Total-Count, in the encoded order, with times in the instance zone', async () => {
    const first = await get('/api/now/table/sysevent?sysparm_query=nameINlogin,logout^ORDERBYDESCsys_created_on&sysparm_limit=5&sysparm_fields=sys_id,name,sys_created_on');
    assert.equal(first.status, 200);
    assert.equal(first.body.result.length, 5);
    assert.match(first.headers.get('link')!, /sysparm_offset=5[^>]*>;rel="next"/);
    const total = Number(first.headers.get('x-total-count'));
    const rows = sim.instance.rows('sysevent')!.filter((r) => r.name === 'login' || r.name === 'logout');
    assert.equal(total, rows.length);
    const newest = rows.reduce((a, b) => (Number(b.sys_created_on) > Number(a.sys_created_on) ? b : a));
    const tokyo = new Date(Number(newest.sys_created_on) + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    assert.equal(first.body.result[0]!.sys_created_on, tokyo, 'Tokyo is UTC+9');
    const since = await get(`/api/now/table/sysevent?sysparm_query=sys_created_on>=${encodeURIComponent(tokyo)}&sysparm_fields=sys_id`);
    assert.ok(since.body.result.some((r) => r.sys_id === newest.sys_id), 'a query time is read in the instance zone too');
  });

  test('an invalid condition is ignored, as ServiceNow does by default; an unknown table is a 400', async () => {
    const all = await get('/api/now/table/sys_user?sysparm_fields=sys_id');
    const ignored = await get('/api/now/table/sys_user?sysparm_query=no_such_column=1&sysparm_fields=sys_id');
    assert.equal(ignored.body.result.length, all.body.result.length);
    assert.equal((await get('/api/now/table/nope')).status, 400);
  });

  test('display values, ACL refusals, and a PATCH audited in sys_audit', async () => {
    const role = await get('/api/now/table/sys_user_has_role?sysparm_display_value=all&sysparm_exclude_reference_link=true&sysparm_limit=1');
    assert.deepEqual(Object.keys(role.body.result[0]!.role as Row).sort(), ['display_value', 'value']);
    sim.deny('sys_user.read');
    const denied = await get('/api/now/table/sys_user');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.status, 'failure');
    sim.allow('sys_user.read');
    const user = sim.instance.tables.get('sys_user')!.slice(2).find((u) => u.locked_out === 'false')!;
    const res = await fetch(`${sim.url}/api/now/table/sys_user/${String(user.sys_id)}`, { method: 'PATCH', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{"locked_out":"true"}' });
    assert.equal(res.status, 200);
    assert.equal(user.locked_out, 'true');
    assert.ok(sim.instance.rows('sys_audit')!.some((a) => a.documentkey === user.sys_id && a.fieldname === 'locked_out'));
  });

  test('the OAuth grants, and the rate limit and quota answers', async () => {
    const form = (body: Record<string, string>) => fetch(`${sim.url}/oauth_token.do`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
    const bad = await form({ grant_type: 'password', client_id: sim.options.clientId, client_secret: 'wrong', username: sim.options.username, password: sim.options.password });
    assert.equal(bad.status, 401);
    const ok = await (await form({ grant_type: 'password', client_id: sim.options.clientId, client_secret: sim.options.clientSecret, username: sim.options.username, password: sim.options.password })).json() as { access_token: string };
    assert.equal((await get('/api/now/table/sys_user_group', { authorization: `Bearer ${ok.access_token}` })).status, 200);
    sim.throttleNext(1);
    sim.quotaNext(1);
    const limited = await get('/api/now/table/sys_user');
    assert.deepEqual([limited.status, limited.headers.get('retry-after'), limited.body.error.message], [429, '1', 'Rate limit exceeded']);
    const quota = await get('/api/now/table/sys_user');
    assert.deepEqual([quota.status, quota.headers.get('retry-after')], [429, null]);
    assert.equal((await get('/api/now/table/sys_user')).status, 200);
  });
});
