import { instanceConfig, type InstanceConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { googleWorkspace } from '../ingestors/google-workspace/index.js';
import { office365 } from '../ingestors/office365/index.js';
import { okta } from '../ingestors/okta/index.js';
import { startGoogleWorkspaceSimulator } from '../simulators/google-workspace/index.js';
import { startOffice365Simulator } from '../simulators/office365/index.js';
import { startOktaSimulator } from '../simulators/okta/index.js';

export interface DemoTenants {
  connectors: Record<string, Record<string, InstanceConfig>>;
  /** A user of the Okta tenant, for the example query printed at start. */
  exampleUser: string;
  close(): Promise<void>;
}

/**
 * The simulated tenants `appwarden start` runs when no connector is configured: one Okta org (with
 * live activity), one Office 365 tenant and one Google Workspace domain, each served by its
 * simulator on a loopback port and connected as instance `demo`.
 */
export async function startDemoTenants(log: Logger): Promise<DemoTenants> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const oktaSim = await startOktaSimulator({ log, seed: 'appwarden-demo', live: true });
    closers.push(() => oktaSim.close());
    const o365Sim = await startOffice365Simulator({ log, seed: 'appwarden-demo' });
    closers.push(() => o365Sim.close());
    const googleSim = await startGoogleWorkspaceSimulator({ log, seed: 'appwarden-demo' });
    closers.push(() => googleSim.close());
    if (!googleSim.privateKey) throw new Error('the Google Workspace simulator made no key pair');
    const defaults = (d: { instanceDefaults?: unknown }) => (d.instanceDefaults ?? {}) as Record<string, unknown>;
    const connectors = {
      okta: { demo: instanceConfig(okta.configSchema, { orgUrl: oktaSim.url, token: oktaSim.token }, defaults(okta)) },
      office365: {
        demo: instanceConfig(office365.configSchema, {
          tenantId: o365Sim.tenantId, clientId: o365Sim.clientId, clientSecret: o365Sim.clientSecret,
          loginUrl: o365Sim.url, graphUrl: o365Sim.url, managementUrl: o365Sim.url,
        }, defaults(office365)),
      },
      google_workspace: {
        demo: instanceConfig(googleWorkspace.configSchema, {
          clientEmail: googleSim.clientEmail, privateKey: googleSim.privateKey, adminEmail: googleSim.adminEmail, domain: googleSim.domain,
          tokenUrl: googleSim.tokenUrl, adminBaseUrl: googleSim.url, driveBaseUrl: googleSim.url,
        }, defaults(googleWorkspace)),
      },
    };
    log.info({ okta: oktaSim.url, office365: o365Sim.url, google_workspace: googleSim.url },
      'no connector configured: running simulated Okta, Office 365 and Google Workspace tenants (instance "demo")');
    return { connectors, exampleUser: oktaSim.state.users[0]?.profile.login ?? '', close };
  } catch (err) {
    await close();
    throw err;
  }
}
