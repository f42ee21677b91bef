import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { startConsoleScene, SCENE_POLICY, type ConsoleScene } from '../support/console-scene.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { FAST_INSTANCE, TEST_ADMIN_KEY, testLog } from '../support/stack.js';
import { registerTestSecrets } from '../support/test-output.js';
import { waitFor } from '../support/wait-for.js';

let scene: ConsoleScene;
let browser: Browser;
let page: Page;

before(async () => {
  [scene, browser] = await Promise.all([startConsoleScene(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  await scene?.stop();
});

/** The previous test signed in as an analyst: this tab's key becomes the admin's again. */
async function asAdmin(): Promise<void> {
  await page.evaluate(`sessionStorage.setItem('appwarden.key', ${JSON.stringify(TEST_ADMIN_KEY)})`);
}

interface Command { command_id: string; status: string; alert_id: string | null; action: string; target: { id: string; name: string | null } }

describe('the web console in headless Chromium', () => {
  test('sign in with a key, filter the activity log, export it, open a user\'s timeline, an alert and its governance command, approve it; an analyst cannot', async (t) => {
    const login = scene.user.profile.login;
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });

    // Sign in: a wrong key is refused, the right one opens the activity log; the key is in sessionStorage, never in the URL.
    await page.goto(`${scene.url}/console/`);
    await page.getByLabel('API key').fill('awk_0000000000000000_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key is not valid').waitFor();
    errors.length = 0; // the browser reports the refused key's 401 as an error
    await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    let started = Date.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('table.activities tbody tr.row').first().waitFor();
    t.diagnostic(`sign-in to the activity log's rows: ${Date.now() - started} ms`);
    started = Date.now();
    await page.reload();
    await page.locator('table.activities tbody tr.row').first().waitFor();
    t.diagnostic(`first view (page load to the activity log's rows, signed in): ${Date.now() - started} ms`);
    assert.match(page.url(), /\/console\/activities$/);
    assert.equal(await page.evaluate('sessionStorage.getItem("appwarden.key")'), TEST_ADMIN_KEY);
    assert.ok(!page.url().includes(TEST_ADMIN_KEY));

    // Filter by user and outcome with the keyboard: the URL holds the filters, every row matches.
    await waitFor(async () => (await scene.api<{ items: unknown[] }>(`/v1/activities?user=${encodeURIComponent(login)}&outcome=failure`)).items.length === 10,
      { what: 'the ten failed sign-ins stored' });
    await page.keyboard.press('/');
    await page.locator('#f-user').fill(login);
    await page.locator('#f-outcome').selectOption('failure');
    await page.locator('#f-user').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('user') === login && u.searchParams.get('outcome') === 'failure');
    const rows = page.locator('table.activities tbody tr.row');
    await waitFor(async () => (await rows.count()) === 10, { what: 'ten rows' });
    for (const text of await rows.allInnerTexts()) {
      assert.ok(text.includes(login), text);
      assert.ok(text.includes('failure'), text);
    }
    // The histogram counts every match (GET /v1/aggregations/histogram), not only the rows loaded.
    await waitFor(async () => /all matches · 10 events/.test(await page.locator('.histogram-caption').innerText()), { what: 'the histogram of the ten failures' });
    // The link can be shared: opened afresh (same tab session), it shows the same filtered rows.
    await page.reload();
    await waitFor(async () => (await rows.count()) === 10, { what: 'ten rows after a reload' });
    assert.equal(await page.locator('#f-user').inputValue(), login);

    // j moves through rows, Enter opens a row's detail (the normalized event).
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    assert.match(await page.locator('tr.detail:not(.hidden) pre').innerText(), /"outcome": "failure"/);

    // CSV export of the filtered rows, streamed by the API (format=csv): its header and ten lines.
    const exported = page.waitForResponse((r) => new URL(r.url()).searchParams.get('format') === 'csv');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const response = await exported;
    assert.match(response.headers()['content-type'] ?? '', /^text\/csv/);
    assert.equal(new URL(response.url()).searchParams.get('user'), login);
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
    assert.match(csv[0]!, /^occurred_at,event_id,provider,instance,/);
    assert.equal(csv.length, 11);
    assert.ok(csv.slice(1).every((line) => line.includes(login) && line.includes('failure')));
    await page.getByText('10 rows exported').waitFor();

    // The user's timeline: the account in Okta, the activity across apps.
    await rows.first().getByRole('link', { name: login }).click();
    await page.waitForURL(`**/console/users/${encodeURIComponent(login)}`);
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    assert.match(await page.locator('.card').first().innerText(), /okta main/);
    await page.locator('table.activities tbody tr.row').first().waitFor();
    assert.ok((await page.locator('table.activities tbody tr.row').count()) >= 11);

    // The alert, and on it the command the policy asked for, as it will be carried out.
    const command = await waitFor(async () => (await scene.api<{ items: Command[] }>(`/v1/governance?policy=${SCENE_POLICY}`)).items[0], { what: 'the suspend command' });
    assert.equal(command.status, 'awaiting_approval');
    assert.equal(command.target.name, login);
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await page.waitForURL('**/console/alerts');
    await page.getByRole('link', { name: `${login}: 10 failed logins in 10 minutes` }).click();
    await page.waitForURL(`**/console/alerts/${command.alert_id}`);
    const commandText = page.locator('code.command');
    assert.equal(await commandText.innerText(), `suspend_user user ${login} on okta.main`);
    assert.match(await page.locator('.card').first().innerText(), /awaiting_approval/);

    // Its page: approve (the admin is not who asked: the policy did); the executor carries it out.
    await page.locator('.card').first().getByRole('link', { name: 'suspend_user' }).click();
    await page.waitForURL(`**/console/governance/${command.command_id}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await waitFor(async () => (await scene.api<{ command: Command }>(`/v1/governance/${command.command_id}`)).command.status === 'succeeded', { what: 'the approved command carried out' });
    assert.equal(scene.user.status, 'SUSPENDED');
    await page.reload();
    await page.getByRole('button', { name: 'Revert' }).waitFor();

    // An analyst sees the same command and no button to act on it.
    const analystKey = (await scene.running.keys!.create({ name: 'console analyst', role: 'analyst' })).key;
    registerTestSecrets([analystKey]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').fill(analystKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header.top .role', { hasText: 'analyst' }).waitFor();
    await page.goto(`${scene.url}/console/governance/${command.command_id}`);
    await page.locator('pre.command').waitFor();
    assert.equal(await page.getByRole('button', { name: /Approve|Retry|Revert/ }).count(), 0);
    assert.match(await page.locator('header.top .role').innerText(), /analyst/);

    assert.deepEqual(errors, []);
  });

  test('the Files page: the public Box file with its open link; a responder removes the link and the file leaves the public list', async () => {
    const file = scene.publicFile;
    await asAdmin();
    await page.goto(`${scene.url}/console/files`);
    const row = page.locator(`tr[data-file="${file.id}"]`);
    await row.waitFor();
    assert.equal(await page.locator('.tabs .tab.active').innerText(), 'public');
    assert.match(await row.innerText(), /box main/);
    assert.match(await row.locator('.sharing').innerText(), /link: anyone/);
    assert.equal(await row.locator('.badge').first().innerText(), 'public');

    // Its timeline: the file's record and the events naming it.
    await row.getByRole('link', { name: file.name }).click();
    await page.waitForURL(`**/console/files/box/main/${file.id}`);
    assert.match(await page.locator('dl.facts').innerText(), /link: anyone/);
    await page.goBack();

    // Asked without approval, the Box connector removes the link; the next scan finds it internal or private.
    await row.getByLabel(`action on ${file.name}`).selectOption('remove_public_link');
    await row.getByLabel('needs approval').uncheck();
    await row.getByRole('button', { name: 'Ask' }).click();
    await page.getByRole('link', { name: 'Follow the command' }).click();
    await page.waitForURL('**/console/governance/*');
    await waitFor(async () => {
      await page.reload();
      return (await page.locator('.page-head .badge').first().innerText()) === 'succeeded';
    }, { what: 'remove_public_link carried out' });
    assert.equal([...scene.box.tenant.items.values()].find((i) => i.id === file.id)!.sharedLink, null, 'the link is gone in Box');
    await waitFor(async () => (await scene.api<{ items: unknown[] }>(`/v1/files?provider=box&file_id=${file.id}&access_level=public`)).items.length === 0,
      { what: 'the next scan without the link' });
    await page.goto(`${scene.url}/console/files?access_level=public`);
    await page.locator('table.grid, p.empty').first().waitFor();
    assert.equal(await page.locator(`tr[data-file="${file.id}"]`).count(), 0);
  });

  test('connections: connect an Okta org through the form and watch it reach connected; test, pause, resume, disconnect', async (t) => {
    const org = await startOktaSimulator({ log: testLog, seed: 'console-connect', users: 5, groups: 1, eventsPerDay: 40, days: 1, live: false });
    t.after(() => org.close());
    registerTestSecrets([org.token]);
    await asAdmin();
    await page.goto(`${scene.url}/console/connections`);
    const configured = page.locator('tr[data-connection="okta.main"]');
    await waitFor(async () => (await configured.getAttribute('data-health')) === 'connected', { what: 'okta.main connected' });
    assert.match(await configured.innerText(), /system_log|activities|users/i);

    // The form asks for the provider's own settings (GET /v1/providers); the token is given inline, kept encrypted.
    await page.locator('#c-provider').selectOption('okta');
    await page.locator('#c-instance').fill('branch');
    await page.locator('#c-orgUrl').fill(org.url);
    await page.locator('#c-token').fill(org.token);
    await page.getByText('More settings (JSON)').click();
    await page.locator('#c-extra').fill(JSON.stringify({ schedule: FAST_INSTANCE.schedule }));
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText('Connected okta.branch').waitFor();
    const row = page.locator('tr[data-connection="okta.branch"]');
    await waitFor(async () => (await row.getAttribute('data-health')) === 'connected', { what: 'okta.branch connected' });
    const stored = await scene.api<{ settings: { token: unknown } }>('/v1/connectors/okta/branch');
    assert.equal(stored.settings.token, '[encrypted]');

    await row.getByRole('button', { name: 'Test' }).click();
    await page.getByText('Test okta.branch: credentials accepted').waitFor();
    await row.getByRole('button', { name: 'Scan now' }).click();
    await page.getByText(/Scan okta\.branch: accounts and files scan asked for|Scan okta\.branch: .*scan asked for/).waitFor();
    await row.getByRole('button', { name: 'Pause' }).click();
    await waitFor(async () => (await row.getAttribute('data-health')) === 'paused', { what: 'okta.branch paused' });
    await row.getByRole('button', { name: 'Resume' }).click();
    await waitFor(async () => (await row.getAttribute('data-health')) === 'connected', { what: 'okta.branch connected again' });
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await waitFor(async () => (await row.getAttribute('data-health')) === 'disconnected', { what: 'okta.branch disconnected' });
    assert.equal(await row.getByRole('button').count(), 0);
  });
});
