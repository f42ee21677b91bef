// `npm run screenshots`: the README's console screenshots (docs/console/*.png), taken in headless
// Chromium from a real Appwarden over a simulated Okta org (the browser test's scene), with the
// local Kafka broker unless KAFKA_BROKERS is set.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localKafkaOptionsFromEnv, resolveKafkaBrokers } from '../core/local-kafka.js';
import { createLogger } from '../core/logger.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'console');

async function main(): Promise<void> {
  const log = createLogger({ level: 'info' });
  const kafka = await resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, ROOT, log));
  process.env.KAFKA_BROKERS = kafka.brokers.join(',');
  // After KAFKA_BROKERS is set: the scene's configuration reads it.
  const { startConsoleScene, SCENE_POLICY } = await import('../test/support/console-scene.js');
  const { launchChromium } = await import('../test/support/browser.js');
  const { TEST_ADMIN_KEY } = await import('../test/support/stack.js');
  const { waitFor } = await import('../test/support/wait-for.js');
  const scene = await startConsoleScene();
  const browser = await launchChromium();
  try {
    mkdirSync(OUT, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 }, deviceScaleFactor: 1 });
    const shot = async (name: string, url: string, ready: string) => {
      await page.goto(`${scene.url}${url}`);
      await page.locator(ready).first().waitFor();
      await page.screenshot({ path: path.join(OUT, `${name}.png`) });
      log.info({ file: `docs/console/${name}.png` }, 'screenshot');
    };
    await page.goto(`${scene.url}/console/`);
    await page.getByLabel('API key').waitFor();
    await page.screenshot({ path: path.join(OUT, 'sign-in.png') });
    await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('table.activities tbody tr.row').first().waitFor();
    const login = scene.user.profile.login;
    const command = await waitFor(async () => (await scene.api<{ items: Array<{ command_id: string; alert_id: string }> }>(`/v1/governance?policy=${SCENE_POLICY}`)).items[0], { what: 'the command' });
    await shot('activity', '/console/activities?range=24h', 'table.activities tbody tr.row');
    await shot('activity-filtered', `/console/activities?outcome=failure&range=1h`, 'table.activities tbody tr.row');
    await shot('user-timeline', `/console/users/${encodeURIComponent(login)}`, 'table.activities tbody tr.row');
    await shot('alert', `/console/alerts/${command.alert_id}`, 'code.command');
    await shot('governance', `/console/governance/${command.command_id}`, 'pre.command');
    await shot('files', '/console/files?access_level=public', `tr[data-file="${scene.publicFile.id}"]`);
    await shot('file-timeline', `/console/files/box/main/${scene.publicFile.id}`, 'dl.facts');
    await shot('connections', '/console/connections', 'tr[data-connection="okta.main"][data-health="connected"]');
    await shot('policies', '/console/policies/new', 'textarea.editor');
  } finally {
    await browser.close();
    await scene.stop();
    await kafka.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
