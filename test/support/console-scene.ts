import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { startBoxSimulator, type BoxSimulator, type SimItem } from '../../simulators/box/index.js';
import { rolesOfUser } from '../../simulators/okta/directory.js';
import { startOktaSimulator, type OktaSimulator, type OktaUser } from '../../simulators/okta/index.js';
import { freshDir, freshName } from './fresh.js';
import { simulatorInstance } from './simulators.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testConfig, testLog } from './stack.js';
import { registerTestSecrets } from './test-output.js';
import { waitFor } from './wait-for.js';

type Raw = Record<string, any>;
export const SCENE_POLICY = 'repeated-failed-logins';

/**
 * What the console's browser test and its screenshots look at: an Okta org whose user had ten failed
 * sign-ins, and a small Box enterprise with a file anyone with the link can open.
 */
export interface ConsoleScene {
  running: RunningAppwarden;
  sim: OktaSimulator;
  box: BoxSimulator;
  /** A Box file shared with an open link, stored as public by the first file scan. */
  publicFile: SimItem;
  /** The API's address (loopback). */
  url: string;
  /** The user with the failed sign-ins (an alert, a suspend command awaiting approval). */
  user: OktaUser;
  /** GET on the API with the admin key. */
  api<T>(url: string): Promise<T>;
  stop(): Promise<void>;
}

/** The built-in failed-logins detection in enforce mode, asking to suspend the user once someone approves. */
function policyFolder(): string {
  const builtin = YAML.parse(readFileSync(new URL('../../policies/repeated-failed-logins.yaml', import.meta.url), 'utf8'), { merge: true }) as Raw;
  const dir = freshDir('appwarden-policies');
  const copy = { ...builtin, mode: 'enforce', providers: ['okta'], actions: [{ action: 'suspend_user', requires_approval: true }] };
  writeFileSync(path.join(dir, 'repeated-failed-logins-approval.yaml'), YAML.stringify(copy));
  return dir;
}

function signIn(sim: OktaSimulator, user: OktaUser, at: number, outcome: 'SUCCESS' | 'FAILURE', where: { ip: string; city: string; country: string }): Raw {
  const template = (sim.eventsFor() as Raw[]).find((e) => e.eventType === 'user.session.start')!;
  const event = structuredClone(template);
  const place = { city: where.city, state: null, country: where.country, postalCode: null, geolocation: null };
  return {
    ...event, uuid: randomUUID(), published: new Date(at).toISOString(),
    actor: { id: user.id, type: 'User', alternateId: user.profile.login, displayName: `${user.profile.firstName} ${user.profile.lastName}`, detailEntry: null },
    client: { ...event.client, ipAddress: where.ip, geographicalContext: place },
    request: { ipChain: [{ ip: where.ip, geographicalContext: place, version: 'V4', source: null }] },
    outcome: outcome === 'SUCCESS' ? { result: 'SUCCESS', reason: null } : { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
  };
}

/** Starts the simulator and Appwarden listening on loopback; the ten failures are added once the first scan is stored. */
export async function startConsoleScene(): Promise<ConsoleScene> {
  const [sim, box] = await Promise.all([
    startOktaSimulator({ log: testLog, seed: 'console-e2e', users: 24, groups: 3, eventsPerDay: 120, days: 2 }),
    startBoxSimulator({ log: testLog, seed: 'console-e2e', users: 6, groups: 1, foldersPerUser: 1, filesPerFolder: 2, eventsPerDay: 40, days: 1 }),
  ]);
  const owners = new Set(box.tenant.users.filter((u) => u.role === 'user' && u.status === 'active').map((u) => u.id));
  const publicFile = [...box.tenant.items.values()].find((i) => i.type === 'file' && owners.has(i.owner) && i.parent !== '0')!;
  if (publicFile.sharedLink?.access !== 'open') box.shareItem('file', publicFile.id, 'open');
  const base = testConfig({
    okta: { main: simulatorInstance('okta', sim, { schedule: { ...FAST_INSTANCE.schedule, accountsEveryMs: 2000 } }) },
    box: { main: simulatorInstance('box', box, { schedule: { ...FAST_INSTANCE.schedule, filesEveryMs: 3000 } }) },
  });
  // Secrets given inline through the console's connect form are kept encrypted with this key.
  const secretsKey = randomBytes(32).toString('base64url');
  registerTestSecrets([secretsKey]);
  let running: RunningAppwarden;
  try {
    running = await startAppwarden({
      config: { ...base, api: { ...base.api, host: '127.0.0.1' }, policies: { ...base.policies, builtins: false, folders: [policyFolder()], groupId: freshName('policy') } },
      log: testLog, progressIntervalMs: 60_000, listen: true, env: { ...process.env, APPWARDEN_SECRETS_KEY: secretsKey },
    });
  } catch (err) {
    await Promise.all([sim.close(), box.close()]);
    throw err;
  }
  const url = running.url!;
  const api = async <T>(p: string) => {
    const res = await fetch(new URL(p, url), { headers: ADMIN_HEADERS });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const now = Date.now();
  // No failed sign-in in the whole history: the console and the API show the last 24 hours by default,
  // and the scene's user must have exactly the ten failures added below in them (the history is anchored
  // to wall-clock time, so which user had a failure a day ago changes from hour to hour).
  const user = sim.state.users.slice(1).find((u) => u.status === 'ACTIVE' && rolesOfUser(sim.state, u.id).length === 0
    && !(sim.eventsFor({ actorLogin: u.profile.login }) as Raw[]).some((e) => e.outcome?.result === 'FAILURE'));
  if (!user) throw new Error('the console scene needs an active user without a role and without a failed sign-in');
  await waitFor(async () => (await api<{ items: unknown[] }>(`/v1/accounts?kind=user&subject_id=${user.id}`)).items.length > 0, { what: 'the first account scan' });
  await waitFor(async () => (await api<{ items: unknown[] }>('/v1/activities?limit=1')).items.length > 0, { what: 'the first activities stored' });
  await waitFor(async () => (await api<{ items: unknown[] }>(`/v1/files?provider=box&file_id=${publicFile.id}&access_level=public`)).items.length > 0, { what: 'the public Box file scanned' });
  const home = { ip: '198.51.100.91', city: 'Austin', country: 'United States' };
  for (let i = 0; i < 10; i++) sim.addEvent(signIn(sim, user, now - 60_000 + i * 4000, 'FAILURE', home));
  sim.addEvent(signIn(sim, user, now - 5000, 'SUCCESS', { ip: '203.0.113.50', city: 'São Paulo', country: 'Brazil' }));
  return {
    running, sim, box, publicFile, url, user, api,
    async stop() {
      await running.stop();
      await Promise.all([sim.close(), box.close()]);
    },
  };
}
