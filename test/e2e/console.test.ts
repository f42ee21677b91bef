import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { startConsoleScene, SCENE_POLICY, type ConsoleScene } from '../support/console-scene.js';
import { TEST_ADMIN_KEY } from '../support/stack.js';
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
    assert.match(await page.locator('.histogram-caption').innerText(), /10 events/);
    // The link can be shared: opened afresh (same tab session), it shows the same filtered rows.
    await page.reload();
    await waitFor(async () => (await rows.count()) === 10, { what: 'ten rows after a reload' });
    assert.equal(await page.locator('#f-user').inputValue(), login);

    // j moves through rows, Enter opens a row's detail (the normalized event).
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    assert.match(await page.locator('tr.detail:not(.hidden) pre').innerText(), /"outcome": "failure"/);

    // CSV export of the filtered rows: a header and ten lines.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
    assert.match(csv[0]!, /occurred_at/);
    assert.equal(csv.length, 11);
    assert.ok(csv.slice(1).every((line) => line.includes(login) && line.includes('failure')));

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

  test('the connections page shows the Okta instance connected, with its streams', async () => {
    await page.goto(`${scene.url}/console/connections`);
    const row = page.locator('tr[data-connection="okta.main"]');
    await waitFor(async () => (await row.count()) === 1 && (await row.locator('.badge').first().innerText()) === 'connected', { what: 'okta.main connected' });
    assert.match(await row.innerText(), /system_log|activities|users/i);
  });
});
