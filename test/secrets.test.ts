import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { instanceConfig, secretKeys, secretValues, type InstanceConfig } from '../core/config.js';
import { AppwardenError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { ConnectorDefinition } from '../ingestors/contract.js';
import { CONNECTORS, connectorSecretKeys } from '../ingestors/registry.js';
import { createConnector } from '../ingestors/runtime/connector-factory.js';
import { startServer, type TestServer } from './support/http-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const mark = (what: string) => `SECRET-${what}-${randomBytes(6).toString('hex')}`;
const { privateKey: googleKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const boxPassphrase = mark('box-key-passphrase');
const { privateKey: boxKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: boxPassphrase },
});

/**
 * Settings of an instance of each registered provider, with recognisable secret values, whose every
 * URL points at `url`. A provider added to the registry must add its entry here (the first test says so).
 */
const FIXTURES: Record<string, (url: string) => Record<string, unknown>> = {
  okta: (url) => ({ orgUrl: url, token: mark('okta-token') }),
  office365: (url) => ({
    tenantId: 'tenant-1', clientId: 'client-1', clientSecret: `${mark('o365-client-secret')}~+/=`, loginUrl: url, graphUrl: url, managementUrl: url,
  }),
  google_workspace: (url) => ({
    clientEmail: 'sa@project.iam.gserviceaccount.com', privateKey: googleKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    adminEmail: 'admin@acme.example', domain: 'acme.example', tokenUrl: `${url}/token`, adminBaseUrl: url, driveBaseUrl: url,
  }),
  servicenow: (url) => ({
    instanceUrl: url, auth: 'oauth_password', username: 'appwarden.integration', password: mark('snow-password'),
    clientId: 'snow-client', clientSecret: mark('snow-client-secret'),
  }),
  salesforce: (url) => ({ loginUrl: url, authFlow: 'client_credentials', clientId: 'sf-consumer-key', clientSecret: mark('sf-consumer-secret') }),
  box: (url) => ({
    authMethod: 'jwt', clientId: 'box-client', clientSecret: mark('box-client-secret'), enterpriseId: '123456', domains: ['acme.example'], tokenUrl: `${url}/oauth2/token`, baseUrl: `${url}/2.0`,
    jwt: { publicKeyId: 'kid-1', passphrase: boxPassphrase, privateKey: boxKey },
  }),
  dropbox: (url) => ({ apiUrl: url, appKey: 'dropbox-app-key', appSecret: mark('dropbox-app-secret'), refreshToken: mark('dropbox-refresh-token') }),
  aws: (url) => ({
    accountId: '123456789012', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: mark('aws-secret-access-key'), sessionToken: mark('aws-session-token'),
    cloudtrailUrl: url, iamUrl: url, stsUrl: url, s3Url: url, s3ControlUrl: url,
  }),
};

const FAST = { limits: { maxAttempts: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 5, timeoutMs: 5000 } };

function configOf(definition: ConnectorDefinition, url: string): InstanceConfig {
  return instanceConfig(definition.configSchema, { ...FAST, ...FIXTURES[definition.id]!(url) }, (definition.instanceDefaults ?? {}) as Record<string, unknown>);
}

/** A logger that writes pino's real JSON lines into `lines`, redacting as the product's logger does. */
function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
  return { log: createLogger({ level: 'debug', destination, secretKeys: connectorSecretKeys() }), lines };
}

/** Every secret string that may be at risk: whole values, and for a PEM key each line of its body. */
function atRisk(values: Iterable<string>): string[] {
  return [...new Set([...values].flatMap((v) => [v, ...v.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'))]))];
}

function assertNoSecret(lines: string[], secrets: readonly string[]): void {
  assert.ok(secrets.length > 0);
  const leaks = lines.flatMap((line) => secrets.filter((s) => line.includes(s) || line.includes(JSON.stringify(s).slice(1, -1))).map((s) => `${s.slice(0, 24)}… in ${line.slice(0, 300)}`));
  assert.deepEqual(leaks, []);
}

/**
 * A provider that refuses everything (401) and echoes what it received, headers and body, raw and
 * decoded, as careless servers do in their error answers. It records every credential it was sent.
 */
async function echoServer(): Promise<{ server: TestServer; sent: Set<string> }> {
  const sent = new Set<string>();
  const server = await startServer((req) => {
    const authorization = String(req.headers.authorization ?? '');
    if (authorization) sent.add(authorization).add(authorization.slice(authorization.indexOf(' ') + 1));
    const form = Object.fromEntries(new URLSearchParams(req.body));
    for (const [k, v] of Object.entries(form)) // Action and Version name an AWS query-protocol call, not a credential.
    if (!['grant_type', 'scope', 'Action', 'Version'].includes(k) && v.length >= 8) sent.add(v);
    return {
      status: 401,
      body: { error: 'invalid_client', error_description: `received ${req.method} ${req.url} ${JSON.stringify(req.headers)} ${req.body}`, form, headers: req.headers },
    };
  });
  cleanups.push(() => server.close());
  return { server, sent };
}

describe('secrets never reach a log line or an error', () => {
  test('every registered connector has a fixture here, and its schema marks at least one secret', () => {
    assert.deepEqual(Object.keys(FIXTURES).sort(), [...CONNECTORS.keys()].sort());
    for (const definition of CONNECTORS.values()) assert.ok(secretKeys(definition.configSchema).length > 0, definition.id);
  });

  test("each connector's configuration logged in any shape, at any depth, shows no secret", () => {
    const { log, lines } = capturingLogger();
    const all: string[] = [];
    for (const definition of CONNECTORS.values()) {
      const config = configOf(definition, 'https://provider.example');
      const secrets = secretValues(config, secretKeys(definition.configSchema));
      assert.ok(secrets.length > 0, definition.id);
      all.push(...secrets);
      log.info({ config }, 'an instance');
      log.info({ config: { connectors: { [definition.id]: { main: config } } } }, 'the whole configuration');
      log.warn({ instances: [[config]], nested: { deeper: { still: { config } } } }, 'in arrays and deep objects');
      log.error({ err: new AppwardenError('AW_CONFIG_INVALID', 'bad instance', { details: { instance: config } }) }, 'an error carrying it');
      log.error({ err: new Error('outer', { cause: new AppwardenError('AW_INTERNAL', 'inner', { details: { config } }) }) }, 'a cause carrying it');
      log.child({ settings: config }).info('a child bound to it');
    }
    assert.equal(lines.length, 6 * CONNECTORS.size);
    // Every line but the one whose error cause pino summarises (its details are not written) had something to redact.
    assert.equal(lines.filter((line) => line.includes('[redacted]')).length, 5 * CONNECTORS.size);
    assertNoSecret(lines, atRisk(all));
  });

  test('failing token and API requests (an echoing server) leave no secret in errors or logs, of any connector', async () => {
    const { server, sent } = await echoServer();
    const { log, lines } = capturingLogger();
    const configured: string[] = [];
    for (const definition of CONNECTORS.values()) {
      const config = configOf(definition, server.url);
      configured.push(...secretValues(config, secretKeys(definition.configSchema)));
      const abort = new AbortController();
      const connector = createConnector(definition, 'main', config, log.child({ provider: definition.id }), abort.signal);
      const failures: unknown[] = [];
      try {
        log.info({ check: await connector.checkCredentials() }, 'credential check');
      } catch (err) {
        failures.push(err);
      }
      const window = { since: Date.now() - 3_600_000, until: Date.now() };
      for (const stream of connector.activityStreams) {
        try {
          for await (const _page of stream.read(window, abort.signal)) { /* refused before any page */ }
        } catch (err) {
          failures.push(err);
        }
      }
      for (const stream of connector.snapshotStreams) {
        try {
          for await (const _page of stream.read(abort.signal)) { /* refused before any page */ }
        } catch (err) {
          failures.push(err);
        }
      }
      assert.ok(failures.length > 0, `${definition.id}: the refusals surfaced as errors`);
      for (const err of failures) log.error({ err }, 'stream pass failed');
      abort.abort();
    }
    // The secrets were on the wire (so at risk), and the server echoed them back in every refusal.
    assert.ok(sent.size >= CONNECTORS.size, `credentials sent: ${sent.size}`);
    assert.ok(lines.some((line) => line.includes('[redacted]')));
    assertNoSecret(lines, atRisk([...sent, ...configured]));
  });
});
