import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLogger } from '../../core/logger.js';
import { simulatorFaults } from '../../simulators/common/faults.js';
import { startOffice365Simulator, type Office365Simulator, type Office365SimulatorOptions } from '../../simulators/office365/index.js';
import { simulatorConfig } from '../../test/support/simulators.js';
import type { ActivityStream, ConnectorInstance } from '../contract.js';
import { createConnector } from '../runtime/connector-factory.js';
import { ManagementActivityStream } from './activity-stream.js';
import { office365 } from './index.js';

const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function setUp(options: Office365SimulatorOptions = {}, extra: Record<string, unknown> = {}): Promise<{ sim: Office365Simulator; connector: ConnectorInstance; signal: AbortSignal }> {
  const sim = await startOffice365Simulator({ users: 5, groups: 2, sites: 1, itemsPerDrive: 4, eventsPerDay: 300, days: 1, ...options });
  const abort = new AbortController();
  cleanups.push(async () => {
    abort.abort();
    await sim.close();
  });
  const connector = createConnector(office365 as never, 'main', simulatorConfig('office365', sim, extra), log, abort.signal);
  return { sim, connector, signal: abort.signal };
}

async function readAll(stream: ActivityStream, window: { since: number; until: number }, signal: AbortSignal): Promise<Array<Record<string, unknown>>> {
  const records: Array<Record<string, unknown>> = [];
  for await (const page of stream.read(window, signal)) records.push(...(page as Array<Record<string, unknown>>));
  return records;
}

function ids(records: ReadonlyArray<Record<string, unknown>>): string[] {
  return [...new Set(records.map((r) => String(r.Id)))].sort();
}

describe('Office 365 connector against the simulator', () => {
  test('checkCredentials lists the granted permissions and, per capability the credentials cannot serve, the missing one', async () => {
    const { connector } = await setUp({ grantedPermissions: { graph: ['User.Read.All', 'Group.Read.All', 'Files.Read.All'], management: ['ActivityFeed.Read'] } });
    const check = await connector.checkCredentials();
    assert.equal(check.ok, true);
    assert.deepEqual(check.permissions, ['graph:Files.Read.All', 'graph:Group.Read.All', 'graph:User.Read.All', 'management:ActivityFeed.Read']);
    const missing = Object.fromEntries(check.missing.map((m) => [m.capability, m.reason]));
    assert.match(missing.privileges!, /^missing permission: RoleManagement\.Read\.Directory/);
    assert.match(missing.app_grants!, /^missing permission: Directory\.Read\.All/);
    assert.match(missing['action:suspend_user']!, /^missing permission: .*User\.ReadWrite\.All/);
    assert.match(missing['action:quarantine']!, /^missing permission: Files\.ReadWrite\.All/);
    assert.match(missing['activities:user']!, /ActivityFeed\.ReadDlp/, 'DLP.All needs its own permission');
    for (const capability of ['accounts', 'groups', 'files:periodic', 'files:realtime', 'activities:logon', 'activities:admin']) assert.equal(missing[capability], undefined, capability);
  });

  test('a wrong client secret is not ok and every capability is missing, with the reason', async () => {
    const { connector } = await setUp({}, { clientSecret: 'not-the-secret' });
    const check = await connector.checkCredentials();
    assert.equal(check.ok, false);
    assert.deepEqual(check.permissions, []);
    assert.deepEqual([...new Set(check.missing.map((m) => m.capability))].sort(), [...office365.capabilities].sort());
    assert.match(check.missing[0]!.reason, /no Microsoft Graph token: .*401/);
  });

  test('a revoked token is refreshed on the 401 and the request succeeds; the scan skips what 403s', async () => {
    const { sim, connector, signal } = await setUp({ grantedPermissions: { graph: ['User.Read.All'], management: [] } });
    const accounts = connector.snapshotStreams.find((s) => s.name === 'accounts')!;
    const kinds = async () => {
      const seen: string[] = [];
      for await (const page of accounts.read(signal)) seen.push(...page.items.map((i) => i.kind));
      return seen;
    };
    assert.equal((await kinds()).length, sim.state.users.length, 'users only: the parts it may not read are skipped');
    const logins = sim.requests.login;
    sim.revokeTokens();
    assert.equal((await kinds()).length, sim.state.users.length);
    assert.equal(sim.requests.login, logins + 1, 'one new token after the 401');
  });

  test('a three-day window is listed as 24-hour windows within the last 7 days, following NextPageUri; every available record is read', async () => {
    // A stopped clock: a blob that became listable between the read and the expectation would be expected but unread.
    const now = Date.now();
    const { sim, connector, signal } = await setUp({ days: 3, eventsPerDay: 200, contentPageSize: 3, clock: { now: () => now } });
    const records: Array<Record<string, unknown>> = [];
    for (const stream of connector.activityStreams) records.push(...(await readAll(stream, { since: now - 9 * DAY, until: now + HOUR }, signal)));
    assert.deepEqual(ids(records), ids(sim.expectedRecords()));
    assert.equal(sim.subscriptions.size, 5, 'each content type subscribed');
  });

  test('a subscription already enabled (400 AF20024) counts as started', async () => {
    const { sim, signal } = await setUp();
    const first = createConnector(office365 as never, 'one', simulatorConfig('office365', sim), log, signal);
    const second = createConnector(office365 as never, 'two', simulatorConfig('office365', sim), log, signal);
    const window = { since: Date.now() - 2 * HOUR, until: Date.now() };
    const a = await readAll(first.activityStreams[0]!, window, signal);
    const b = await readAll(second.activityStreams[0]!, window, signal);
    assert.deepEqual(ids(b), ids(a));
  });

  test('blobs already read are not fetched again; expired blobs are skipped and counted; the same record in two blobs keeps its Id', async () => {
    const { sim, connector, signal } = await setUp({ duplicateFraction: 0 });
    const stream = connector.activityStreams.find((s) => s.name === 'management/Audit.AzureActiveDirectory') as ManagementActivityStream;
    const now = Date.now();
    const expired = sim.makeRecord('UserLoggedIn', { at: now - 3 * HOUR });
    sim.addBlob([expired], { contentType: 'Audit.AzureActiveDirectory', contentCreated: now - 2 * HOUR, contentExpiration: now - 60_000 });
    const repeated = sim.makeRecord('UserLoginFailed', { at: now - 3 * HOUR });
    sim.addBlob([repeated], { contentType: 'Audit.AzureActiveDirectory', contentCreated: now - 2 * HOUR });
    sim.addBlob([repeated], { contentType: 'Audit.AzureActiveDirectory', contentCreated: now - HOUR });
    const window = { since: now - 6 * HOUR, until: now };
    const first = await readAll(stream, window, signal);
    assert.equal(first.filter((r) => r.Id === expired.Id).length, 0);
    assert.equal(stream.expiredSkipped, 1);
    assert.equal(first.filter((r) => r.Id === repeated.Id).length, 2, 'listed twice, with one Id: one event id');
    const fetched = stream.blobsFetched;
    const second = await readAll(stream, window, signal);
    assert.equal(second.length, 0, 'a re-read of the trailing window fetches nothing already read');
    assert.equal(stream.blobsFetched, fetched);
    assert.equal(stream.expiredSkipped, 1, 'an expired blob is counted once');
  });

  test('the Management API throttle answer (403 AF429) is waited out and counted', async () => {
    const { sim, connector, signal } = await setUp();
    sim.throttleNext(3, { api: 'management' });
    const now = Date.now();
    const window = { since: now - 6 * HOUR, until: now };
    const records = await readAll(connector.activityStreams[0]!, window, signal);
    // The listing works on whole seconds.
    const listed = sim.audit.list('Audit.AzureActiveDirectory', Math.floor(window.since / 1000) * 1000, Math.floor(window.until / 1000) * 1000, Date.now());
    assert.ok(listed.length > 0);
    assert.deepEqual(ids(records), ids(listed.flatMap((b) => b.records)));
    assert.equal(sim.requests.throttled.management, 3);
    assert.equal(connector.http.stats().throttled, 3);
  });
});

describe('the drives delta feed', () => {
  test('a delta link Graph no longer honours (410 resyncRequired): that drive alone restarts from its present and says so; the others read on, and the new link works', async () => {
    const { sim, connector, signal } = await setUp();
    const changes = connector.changeStreams![0]!;
    const read = async (cursor: string) => {
      const pages = [];
      for await (const page of changes.read(cursor, signal)) pages.push(page);
      return pages;
    };
    const itemIds = (pages: Awaited<ReturnType<typeof read>>) => new Set(pages.flatMap((p) => p.items.map((i) => String((i.raw as { item: { id: string } }).item.id))));
    const start = await changes.initialCursor(signal);
    const drives = Object.keys((JSON.parse(start) as { drives: Record<string, string> }).drives);
    assert.ok(drives.length >= 2);
    // During the gap, a file in every drive; Graph then refuses the first drive's delta link.
    const gap = new Map(drives.map((drive) => [drive, sim.addFile(drive, `gap-${drive.slice(-6)}.txt`).item.id]));
    const faults = simulatorFaults(sim.url)!;
    faults.arm({ kind: 'expired_token', path: /\/root\/delta$/ });
    const pages = await read(start);
    assert.equal(faults.injected.expired_token, 1);
    const restarts = pages.flatMap((p) => p.restarted ?? []);
    assert.deepEqual(restarts.map((r) => r.part), [`drive:${drives[0]}`]);
    assert.match(restarts[0]!.reason, /410/);
    const read1 = itemIds(pages);
    for (const [drive, id] of gap) assert.equal(read1.has(id), drive !== drives[0], `${drive}'s gap file ${drive === drives[0] ? 'is not' : 'is'} in the feed`);

    const after = sim.addFile(drives[0]!, 'after-resync.txt');
    const next = await read(pages.at(-1)!.cursor);
    assert.ok(itemIds(next).has(after.item.id), 'the new delta link reads on');
    assert.equal(next.flatMap((p) => p.restarted ?? []).length, 0);
  });
});
