import { generateKeyPairSync } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { instanceConfig } from '../../core/config.js';
import { googleWorkspace } from '../../ingestors/google-workspace/index.js';
import { normalizeGoogleActivity } from '../../ingestors/google-workspace/normalize-activity.js';
import type { ConnectorDefinition, ConnectorInstance } from '../../ingestors/contract.js';
import { createConnector } from '../../ingestors/runtime/connector-factory.js';
import type { AuditEvent } from '../../schemas/types.js';
import { startGoogleWorkspaceSimulator, type GoogleWorkspaceSimulator, type GoogleWorkspaceSimulatorOptions } from '../../simulators/google-workspace/index.js';
import { simulatorInstance } from '../support/simulators.js';
import { testLog } from '../support/stack.js';

// One key pair for the whole file: the simulator checks signatures with the public half.
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_KEY = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A simulated tenant whose service account signs with this file's key pair; small by default. */
export async function googleSimulator(options: GoogleWorkspaceSimulatorOptions = {}): Promise<GoogleWorkspaceSimulator> {
  return startGoogleWorkspaceSimulator({
    log: testLog, users: 6, groups: 3, filesPerUser: 3, sharedDrives: 1, activitiesPerDay: 200, days: 1, ...options,
    serviceAccount: { clientEmail: 'appwarden-test@project.iam.gserviceaccount.com', publicKey: PUBLIC_KEY, ...options.serviceAccount },
  });
}

/** Connector settings for a simulator (this file's private key, the tenant's labels), with fast test timings. */
export function googleInstance(sim: GoogleWorkspaceSimulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return simulatorInstance('google_workspace', sim, { privateKey: PRIVATE_KEY, labelIds: sim.drive.labels.map((l) => l.id), ...extra });
}

/** A live connector instance for running actions, as the governance executor gets one. */
export function googleConnector(sim: GoogleWorkspaceSimulator, signal: AbortSignal, extra: Record<string, unknown> = {}): ConnectorInstance {
  setMaxListeners(1000, signal);
  const config = instanceConfig(googleWorkspace.configSchema, googleInstance(sim, extra));
  return createConnector(googleWorkspace as unknown as ConnectorDefinition, 'main', config, testLog, signal);
}

/** The audit events the simulator's activities should become (one per event of each activity). */
export function expectedEvents(sim: GoogleWorkspaceSimulator, instance: string, applications: readonly string[] = ['login', 'admin', 'drive', 'token', 'saml', 'groups', 'mobile']): AuditEvent[] {
  return applications.flatMap((application) => sim.activitiesFor({ application }).flatMap((a) => normalizeGoogleActivity(a, { instance, ingestedAt: 0 })));
}
