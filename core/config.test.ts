import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { OktaConfigSchema } from '../ingestors/okta/config.js';
import { providerSchemas } from '../ingestors/registry.js';
import { freshDir } from '../test/support/fresh.js';
import Type from 'typebox';
import { CORE_SECRET_KEYS, instanceConfig, loadConfig, redactSecrets, secretKeys, secretValues, type AppConfig, type LoadConfigOptions } from './config.js';
import { isAppwardenError } from './errors.js';

const dir = freshDir('appwarden-config');
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(text: string, ext = 'yaml'): string {
  const file = path.join(dir, `config-${++files}.${ext}`);
  writeFileSync(file, text);
  return file;
}

function load(options: Partial<LoadConfigOptions> = {}): AppConfig {
  return loadConfig({ env: {}, providerSchemas: providerSchemas(), ...options });
}

/** The problems `loadConfig` reports, in its order; fails if it accepts the configuration. */
function problems(options: Partial<LoadConfigOptions>): string[] {
  try {
    load(options);
  } catch (err) {
    assert.ok(isAppwardenError(err, 'AW_CONFIG_INVALID'), `expected AW_CONFIG_INVALID, got ${String(err)}`);
    const listed = err.details.problems as string[];
    assert.ok(Array.isArray(listed) && listed.length > 0);
    // The message a person reads lists the same problems, one a line.
    assert.equal(err.message, `configuration is invalid:\n  ${listed.join('\n  ')}`);
    return listed;
  }
  assert.fail('expected the configuration to be refused');
}

const ACME = { orgUrl: 'https://acme.okta.com', token: '00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab' };

const INSTANCE_DEFAULTS = {
  enabled: true,
  schedule: { activitiesEveryMs: 60_000, accountsEveryMs: 12 * 3_600_000, filesEveryMs: 12 * 3_600_000, changesEveryMs: 30_000, permissionsRecheckMs: 15 * 60_000, unavailableRecheckMs: 6 * 3_600_000 },
  activities: { initialLookbackMs: 7 * 86_400_000, trailingWindowMs: 15 * 60_000, maxWindowMs: 86_400_000, settleMs: 0 },
  limits: { concurrency: 4, maxThrottleWaitMs: 15 * 60_000, timeoutMs: 30_000, maxAttempts: 6, retryBaseDelayMs: 500, retryMaxDelayMs: 30_000 },
};
const OKTA_DEFAULTS = { logPageSize: 1000, userPageSize: 200 };
const API_SECURITY_DEFAULTS = { authentication: true, allowedHosts: [], corsOrigins: [], rawAccessRoles: ['admin'] };

/** The API's limits when none is configured. */
const API_LIMITS = {
  maxQueryRangeDays: 400, queryTimeoutSeconds: 30, exportTimeoutSeconds: 3600, queryMaxMemoryBytes: 2_000_000_000, bodyLimitBytes: 262_144, policyBodyLimitBytes: 1_048_576,
  rateLimit: { requestsPerMinute: 1200, burst: 600 }, backtest: { maxRangeDays: 92, concurrency: 2 },
};

describe('loadConfig', () => {
  test('with nothing configured, every setting has its default', () => {
    const config = load();
    assert.deepEqual(config, {
      kafka: { brokers: [], clientId: 'appwarden', topicPrefix: 'appwarden', partitions: 6, replicationFactor: 1, maxMessageBytes: 1_000_000, consumerSessionTimeoutMs: 30_000, producerClient: 'auto' },
      clickhouse: { database: 'appwarden', dataDir: '.data/clickhouse' },
      api: { host: '127.0.0.1', port: 8080, maxPageSize: 1000, ...API_LIMITS, ...API_SECURITY_DEFAULTS },
      sink: { groupId: 'appwarden-sink', maxBatchRows: 50_000, flushIntervalMs: 1000 },
      governance: {
        dryRun: false,
        signingKeyFile: '.data/governance-signing.key',
        maxEventAgeMs: 3_600_000,
        limits: { actionsPerHour: 50, perAction: {}, policyTargetsPerHour: 50 },
        protectedAccounts: [],
        protectPrivileged: true,
        retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 },
        verify: { attempts: 5, delayMs: 2000 },
        notify: { allowedRecipients: [], maxPerRecipientPerHour: 20 },
      },
      policies: {
        builtins: true, folders: [], lateArrivalMs: 3_600_000, maxPolicies: 1000, maxVersions: 50, maxDocumentBytes: 262_144,
        evaluationBudgetMs: 5, evaluationStrikes: 20,
      },
      connectorWorkers: { takeoverTimeoutMs: 30_000 },
      dataDir: '.data',
      simulate: true,
      memoryLogEveryMs: 60_000,
      connectors: {},
    });
    assert.ok(Object.isFrozen(config));
  });

  test('each connector instance gets the schedule, activity and limit defaults, and keeps what it sets', () => {
    const config = load({
      overrides: {
        connectors: {
          okta: {
            emea: ACME,
            us: { ...ACME, orgUrl: 'https://acme-us.okta.com', schedule: { activitiesEveryMs: 30_000 }, limits: { concurrency: 2, requestsPerMinute: 600 } },
          },
        },
      },
    });
    assert.deepEqual(config.connectors.okta?.emea, { ...ACME, ...INSTANCE_DEFAULTS, ...OKTA_DEFAULTS });
    assert.deepEqual(config.connectors.okta?.us, {
      ...ACME,
      orgUrl: 'https://acme-us.okta.com',
      ...INSTANCE_DEFAULTS,
      ...OKTA_DEFAULTS,
      schedule: { ...INSTANCE_DEFAULTS.schedule, activitiesEveryMs: 30_000 },
      limits: { ...INSTANCE_DEFAULTS.limits, concurrency: 2, requestsPerMinute: 600 },
    });
  });

  test('reads the documented environment variables', () => {
    const config = load({
      env: {
        KAFKA_BROKERS: 'kafka-1.internal:9092, kafka-2.internal:9092,',
        KAFKA_TOPIC_PREFIX: 'acme.prod',
        KAFKA_PARTITIONS: '12',
        KAFKA_REPLICATION_FACTOR: '3',
        CLICKHOUSE_URL: 'http://clickhouse.internal:8123',
        CLICKHOUSE_USER: 'appwarden',
        CLICKHOUSE_PASSWORD: 'ch-secret',
        CLICKHOUSE_DATABASE: 'trail',
        CLICKHOUSE_DATA_DIR: '/var/lib/appwarden/clickhouse',
        PORT: '9090',
        HOST: '0.0.0.0',
        APPWARDEN_ADMIN_KEY: 'admin-key-from-the-environment-0123456789',
        APPWARDEN_SIMULATE: '0',
        APPWARDEN_DATA_DIR: '/var/lib/appwarden',
        APPWARDEN_MEMORY_LOG_MS: '0',
      },
    });
    assert.deepEqual(config.kafka, { brokers: ['kafka-1.internal:9092', 'kafka-2.internal:9092'], clientId: 'appwarden', topicPrefix: 'acme.prod', partitions: 12, replicationFactor: 3, maxMessageBytes: 1_000_000, consumerSessionTimeoutMs: 30_000, producerClient: 'auto' });
    assert.deepEqual(config.clickhouse, {
      url: 'http://clickhouse.internal:8123', username: 'appwarden', password: 'ch-secret', database: 'trail', dataDir: '/var/lib/appwarden/clickhouse',
    });
    assert.deepEqual(config.api, { host: '0.0.0.0', port: 9090, maxPageSize: 1000, adminKey: 'admin-key-from-the-environment-0123456789', ...API_LIMITS, ...API_SECURITY_DEFAULTS });
    assert.equal(config.simulate, false);
    assert.equal(config.dataDir, '/var/lib/appwarden');
    assert.equal(config.memoryLogEveryMs, 0);
  });

  test('APPWARDEN_SIMULATE is off for 0, false and no, on otherwise', () => {
    for (const off of ['0', 'false', 'FALSE', 'no']) assert.equal(load({ env: { APPWARDEN_SIMULATE: off } }).simulate, false, off);
    for (const on of ['1', 'true', 'yes']) assert.equal(load({ env: { APPWARDEN_SIMULATE: on } }).simulate, true, on);
  });

  test('the environment wins over the file, and overrides win over both', () => {
    const file = configFile('api:\n  port: 7000\n  maxPageSize: 200\nkafka:\n  topicPrefix: from-file\n');
    assert.deepEqual(load({ file }).api, { host: '127.0.0.1', port: 7000, maxPageSize: 200, ...API_LIMITS, ...API_SECURITY_DEFAULTS });
    const config = load({ file, env: { PORT: '7001' }, overrides: { kafka: { topicPrefix: 'from-overrides' } } });
    assert.deepEqual(config.api, { host: '127.0.0.1', port: 7001, maxPageSize: 200, ...API_LIMITS, ...API_SECURITY_DEFAULTS });
    assert.equal(config.kafka.topicPrefix, 'from-overrides');
  });

  test('loads the README example, with each token taken from the environment', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example !== undefined && example.includes('${OKTA_EMEA_TOKEN}'), 'the README has a YAML example with ${OKTA_EMEA_TOKEN}');
    const env = { OKTA_EMEA_TOKEN: '00emeaTokenFromTheEnvironment0000000000', OKTA_US_TOKEN: '00usTokenFromTheEnvironment000000000000' };
    const file = configFile(example);
    for (const config of [load({ file, env }), load({ env: { ...env, APPWARDEN_CONFIG: file } })]) {
      assert.deepEqual(config.connectors.okta?.emea, { orgUrl: 'https://acme-emea.okta.com', token: env.OKTA_EMEA_TOKEN, ...INSTANCE_DEFAULTS, ...OKTA_DEFAULTS });
      assert.deepEqual(config.connectors.okta?.us, {
        orgUrl: 'https://acme-us.okta.com',
        token: env.OKTA_US_TOKEN,
        ...INSTANCE_DEFAULTS,
        ...OKTA_DEFAULTS,
        schedule: { ...INSTANCE_DEFAULTS.schedule, activitiesEveryMs: 30_000 },
        limits: { ...INSTANCE_DEFAULTS.limits, concurrency: 2, requestsPerMinute: 600 },
      });
      assert.equal(config.kafka.partitions, 6);
      assert.deepEqual(config.sink, { groupId: 'appwarden-sink', maxBatchRows: 50_000, flushIntervalMs: 1000 });
    }
  });

  test('a secret from the environment arrives exactly as set, whatever characters it holds', () => {
    const file = configFile([
      '# token: ${OLD_OKTA_TOKEN}   (a reference in a comment is no reference)',
      'api:',
      '  port: ${API_PORT}',
      'connectors:',
      '  okta:',
      '    main:',
      '      orgUrl: https://${OKTA_ORG}.okta.com',
      '      token: ${OKTA_TOKEN}',
      '',
    ].join('\n'));
    for (const token of ['00ab #not-a-comment', 'key: value', '*not-an-alias', '{not: a map}', '0012345', 'line\nbreak', '${NOT_EXPANDED_TWICE}']) {
      const config = load({ file, env: { OKTA_TOKEN: token, OKTA_ORG: 'acme', API_PORT: '9443' } });
      assert.equal(config.connectors.okta?.main?.token, token, JSON.stringify(token));
      assert.equal(config.connectors.okta?.main?.orgUrl, 'https://acme.okta.com');
      assert.equal(config.api.port, 9443, 'a number from the environment fills a number setting');
    }
  });

  test('a JSON configuration file works too', () => {
    const file = configFile(JSON.stringify({ connectors: { okta: { main: { orgUrl: ACME.orgUrl, token: '${OKTA_TOKEN}' } } }, simulate: false }), 'json');
    const config = load({ file, env: { OKTA_TOKEN: ACME.token } });
    assert.equal(config.connectors.okta?.main?.token, ACME.token);
    assert.equal(config.simulate, false);
  });

  test('reports every problem at once, each with its path', () => {
    const file = configFile([
      'colour: red',
      'kafka:',
      '  partitons: 3',
      'connectors:',
      '  okta:',
      '    main:',
      "      orgUrl: 'not a url'",
      '      tokn: ${OKTA_TOKEN}',
      '      limits: { concurrency: 0, burst: 10 }',
      '  oktaa:',
      '    main: {}',
      '',
    ].join('\n'));
    assert.deepEqual(problems({ file, env: { OKTA_TOKEN: ACME.token } }).sort(), [
      'colour: unknown setting',
      `connectors.oktaa: unknown provider (known: ${Object.keys(providerSchemas()).join(', ')})`,
      'connectors.okta.main.limits.burst: unknown setting',
      'connectors.okta.main.limits.concurrency: must be >= 1',
      'connectors.okta.main.orgUrl: must be an origin such as https://acme.okta.com, https (http only for localhost, 127.0.0.0/8 or [::1])',
      'connectors.okta.main.token: required',
      'connectors.okta.main.tokn: unknown setting',
      'kafka.partitons: unknown setting',
    ].sort());
  });

  test("kafka.consumerSessionTimeoutMs is held to the brokers' default session bounds", () => {
    assert.equal(load({ overrides: { kafka: { consumerSessionTimeoutMs: 6000 } as never } }).kafka.consumerSessionTimeoutMs, 6000);
    assert.deepEqual(problems({ overrides: { kafka: { consumerSessionTimeoutMs: 5000 } as never } }), ['kafka.consumerSessionTimeoutMs: must be >= 6000']);
    assert.deepEqual(problems({ overrides: { kafka: { consumerSessionTimeoutMs: 1_800_001 } as never } }), ['kafka.consumerSessionTimeoutMs: must be <= 1800000']);
  });

  test('an unknown setting is refused in every section, from the file, the environment or the overrides', () => {
    assert.deepEqual(problems({ overrides: { api: { prot: 8081 } as never } }), ['api.prot: unknown setting']);
    assert.deepEqual(problems({ overrides: { clickhouse: { databse: 'x' } as never, sink: { flushMs: 5 } as never } }).sort(), [
      'clickhouse.databse: unknown setting', 'sink.flushMs: unknown setting',
    ]);
    assert.deepEqual(problems({ file: configFile('connectors:\n  okta:\n    main:\n      orgUrl: https://acme.okta.com\n      token: t\n      schedule: { activitiesEvery: 1000 }\n      activities: { lookbackMs: 1 }\n') }).sort(), [
      'connectors.okta.main.activities.lookbackMs: unknown setting',
      'connectors.okta.main.schedule.activitiesEvery: unknown setting',
    ]);
  });

  test('a provider URL must be https; plain http is accepted for loopback addresses only, and the setting is named', () => {
    const okta = (orgUrl: string) => ({ overrides: { connectors: { okta: { main: { ...ACME, orgUrl } } } } });
    for (const accepted of ['https://acme.okta.com', 'https://acme.okta.com:8443/', 'http://127.0.0.1:8081', 'http://127.9.9.9', 'http://localhost:9000', 'http://[::1]:81']) {
      assert.equal(load(okta(accepted)).connectors.okta?.main?.orgUrl, accepted);
    }
    for (const refused of ['http://acme.okta.com', 'http://localhost.evil.example', 'http://127.0.0.1.nip.io', 'http://127.0.0.1@evil.example', 'ftp://acme.okta.com']) {
      assert.deepEqual(problems(okta(refused)), ['connectors.okta.main.orgUrl: must be an origin such as https://acme.okta.com, https (http only for localhost, 127.0.0.0/8 or [::1])'], refused);
    }
    const google = problems({ overrides: { connectors: { google_workspace: { main: {
      clientEmail: 'sa@p.iam.gserviceaccount.com', privateKey: 'k', adminEmail: 'admin@acme.com', domain: 'acme.com', tokenUrl: 'http://oauth2.example/token',
    } } } } });
    assert.deepEqual(google, ['connectors.google_workspace.main.tokenUrl: must be the OAuth token endpoint: a URL such as https://oauth2.googleapis.com/token, https (http only for localhost, 127.0.0.0/8 or [::1])']);
  });

  test('the producer client: auto by default, KAFKA_PRODUCER_CLIENT chooses, anything else names the choices', () => {
    assert.equal(load().kafka.producerClient, 'auto');
    assert.equal(load({ env: { KAFKA_PRODUCER_CLIENT: 'kafkajs' } }).kafka.producerClient, 'kafkajs');
    assert.equal(load({ overrides: { kafka: { producerClient: 'rdkafka' } } }).kafka.producerClient, 'rdkafka');
    assert.deepEqual(problems({ env: { KAFKA_PRODUCER_CLIENT: 'librdkafka' } }), ['kafka.producerClient: must be one of auto, rdkafka, kafkajs']);
  });

  test('wrong types and ranges name the setting', () => {
    assert.deepEqual(problems({ env: { PORT: 'eighty', KAFKA_PARTITIONS: '0' } }).sort(), ['api.port: must be integer', 'kafka.partitions: must be >= 1']);
    assert.deepEqual(problems({ overrides: { connectors: { okta: { main: { ...ACME, logPageSize: 5000, enabled: 'sometimes' } } } } }).sort(), [
      'connectors.okta.main.enabled: must be boolean',
      'connectors.okta.main.logPageSize: must be <= 1000',
    ]);
    assert.deepEqual(problems({ overrides: { connectors: { okta: { Main: ACME } } } }), [
      'connectors.okta.Main: instance ids are lower-case letters, digits, _ and -',
    ]);
  });

  test('the governance section: notifier defaults, problems named, the webhook token is a secret', () => {
    const config = load({ overrides: { governance: {
      groupId: 'gov', notify: { webhook: { url: 'http://127.0.0.1:9000/hook', token: 's3cret-token' }, smtp: { host: '127.0.0.1', from: 'appwarden@example.com' } },
    } } });
    assert.equal(config.governance.groupId, 'gov');
    assert.deepEqual(config.governance.notify, {
      allowedRecipients: [], maxPerRecipientPerHour: 20,
      webhook: { url: 'http://127.0.0.1:9000/hook', token: 's3cret-token', timeoutMs: 10_000 },
      smtp: { host: '127.0.0.1', port: 25, from: 'appwarden@example.com', heloName: 'localhost', timeoutMs: 10_000 },
    });
    assert.deepEqual(problems({ overrides: { governance: {
      retry: { maxAttempts: 0 }, notify: { webhook: { url: 'ftp://x' }, smtp: { from: 'nobody' }, defaultTo: 'x' }, dryrun: true,
    } as never } }).sort(), [
      'governance.dryrun: unknown setting',
      'governance.notify.defaultTo: must be an email address, for notify commands that name none',
      'governance.notify.smtp.from: must be the envelope and From address',
      'governance.notify.smtp.host: required',
      'governance.notify.webhook.url: must be the URL that receives a JSON POST per notification: a URL such as https://hooks.example.com/appwarden, https (http only for localhost, 127.0.0.0/8 or [::1])',
      'governance.retry.maxAttempts: must be >= 1',
    ]);
    const redacted = JSON.stringify(redactSecrets(config as unknown as Record<string, unknown>, ['token']));
    assert.ok(!redacted.includes('s3cret-token'));
    // The signing key is a secret too, at least 32 characters.
    const keyed = load({ overrides: { governance: { signingKey: 'k'.repeat(32) } } });
    assert.ok(!JSON.stringify(redactSecrets(keyed as unknown as Record<string, unknown>, ['signingKey'])).includes('k'.repeat(32)));
    assert.deepEqual(problems({ overrides: { governance: { signingKey: 'short', limits: { perAction: { suspend_user: -1 } } } } as never }).sort(), [
      'governance.limits.perAction.suspend_user: must be >= 0',
      'governance.signingKey: must not have fewer than 32 characters',
    ]);
  });

  test('the policies section: the built-ins by default, more folders from the file or APPWARDEN_POLICY_DIRS, problems named', () => {
    const file = configFile('policies:\n  builtins: false\n  folders: [./my-policies]\n  groupId: policy-eu\n  lateArrivalMs: 600000\n');
    assert.deepEqual(load({ file }).policies, {
      builtins: false, folders: ['./my-policies'], groupId: 'policy-eu', lateArrivalMs: 600_000,
      maxPolicies: 1000, maxVersions: 50, maxDocumentBytes: 262_144, evaluationBudgetMs: 5, evaluationStrikes: 20,
    });
    assert.deepEqual(load({ env: { APPWARDEN_POLICY_DIRS: 'team-a, team-b/extra.yaml' } }).policies.folders, ['team-a', 'team-b/extra.yaml']);
    assert.deepEqual(problems({ overrides: { policies: { builtin: false, folders: [''], lateArrivalMs: -1 } as never } }).sort(), [
      'policies.builtin: unknown setting',
      'policies.folders.0: must not have fewer than 1 characters',
      'policies.lateArrivalMs: must be >= 0',
    ]);
  });

  test('connector workers: the takeover bound (30 s by default) and the ClickHouse cluster name are checked', () => {
    const file = configFile('connectorWorkers:\n  groupId: eu-connectors\n  takeoverTimeoutMs: 20000\nclickhouse:\n  url: https://ch.example.com:8443\n  cluster: prod_cluster\n');
    assert.deepEqual(load({ file }).connectorWorkers, { groupId: 'eu-connectors', takeoverTimeoutMs: 20_000 });
    assert.equal(load({ file }).clickhouse.cluster, 'prod_cluster');
    assert.equal(load({ env: { CLICKHOUSE_URL: 'http://127.0.0.1:8123', CLICKHOUSE_CLUSTER: 'ch-1' } }).clickhouse.cluster, 'ch-1');
    assert.deepEqual(problems({ env: { CLICKHOUSE_CLUSTER: 'ch-1' } }), ['clickhouse.cluster: needs clickhouse.url (CLICKHOUSE_URL): embedded ClickHouse is one process, not a cluster']);
    assert.deepEqual(problems({ overrides: { connectorWorkers: { takeoverTimeoutMs: 5000, group: 'x' }, clickhouse: { url: 'http://127.0.0.1:8123', cluster: 'a b;' } } as never }).sort(), [
      "clickhouse.cluster: must be a cluster name of the server's remote_servers (letters, digits, _ . -): tables are made replicated ON CLUSTER, read through Distributed tables",
      'connectorWorkers.group: unknown setting',
      'connectorWorkers.takeoverTimeoutMs: must be >= 12000',
    ]);
    assert.deepEqual(problems({ overrides: { connectorWorkers: { takeoverTimeoutMs: 7_200_000 } } as never }), ['connectorWorkers.takeoverTimeoutMs: must be <= 3600000']);
  });

  test('a referenced environment variable that is not set is reported where it is used', () => {
    const file = configFile('connectors:\n  okta:\n    main:\n      orgUrl: https://acme.okta.com\n      token: ${OKTA_TOKEN}\n');
    assert.deepEqual(problems({ file, env: {} }), ['connectors.okta.main.token: environment variable OKTA_TOKEN is not set']);
  });

  test('a configuration file that cannot be read is reported with its path', () => {
    const missing = path.join(dir, 'no-such-file.yaml');
    assert.deepEqual(problems({ file: missing, env: { PORT: 'eighty' } }), [
      `cannot read configuration file ${missing}: ENOENT: no such file or directory, open '${missing}'`,
      'api.port: must be integer',
    ]);
    const missingByEnv = problems({ env: { APPWARDEN_CONFIG: missing } });
    assert.equal(missingByEnv.length, 1);
    assert.ok(missingByEnv[0]!.startsWith(`cannot read configuration file ${missing}: ENOENT`));

    const broken = configFile('connectors:\n  okta:\n    main:\n      token: [unclosed\n');
    const [problem, ...rest] = problems({ file: broken });
    assert.deepEqual(rest, []);
    assert.ok(problem!.startsWith(`cannot read configuration file ${broken}: `), problem);
    assert.ok(!problem!.includes('\n'), 'one line');

    const list = configFile('- kafka\n- api\n');
    assert.deepEqual(problems({ file: list }), [`configuration file ${list}: must be a mapping of settings`]);
  });

  test('an empty configuration file means the defaults', () => {
    assert.deepEqual(load({ file: configFile('# nothing yet\n') }), load());
  });

  test('does not change the overrides it is given', () => {
    const overrides = { kafka: { partitions: 3 }, connectors: { okta: { main: { ...ACME, limits: { concurrency: 2 } } } } };
    const before = structuredClone(overrides);
    load({ overrides });
    assert.deepEqual(overrides, before);
  });
});

describe('instanceConfig', () => {
  test('fills the defaults of a connector instance created without a file', () => {
    assert.deepEqual(instanceConfig(OktaConfigSchema, ACME), { ...ACME, ...INSTANCE_DEFAULTS, ...OKTA_DEFAULTS });
  });

  test('refuses a missing or misspelt setting', () => {
    assert.throws(() => instanceConfig(OktaConfigSchema, { orgUrl: ACME.orgUrl, tokn: 'x' }), (err: unknown) => {
      assert.ok(isAppwardenError(err, 'AW_CONFIG_INVALID'));
      assert.deepEqual((err.details.problems as string[]).sort(), ['instance.token: required', 'instance.tokn: unknown setting']);
      return true;
    });
  });
});

describe('secrets', () => {
  test('the Okta token is marked secret', () => {
    assert.ok(secretKeys(OktaConfigSchema).includes('token'));
    assert.ok(!secretKeys(OktaConfigSchema).includes('orgUrl'));
  });

  test('redactSecrets replaces every secret, at any depth, and keeps the rest', () => {
    const config = load({ overrides: { connectors: { okta: { main: ACME } } } });
    const instance = config.connectors.okta!.main!;
    const redacted = redactSecrets(instance, secretKeys(OktaConfigSchema));
    assert.deepEqual(redacted, { ...instance, token: '[redacted]' });
    assert.equal(instance.token, ACME.token, 'the original is untouched');
    assert.ok(!JSON.stringify(redacted).includes(ACME.token));

    const nested = redactSecrets({ connectors: { okta: { main: instance } } }, ['token']);
    assert.equal(nested.connectors.okta.main.token, '[redacted]');
    assert.ok(!JSON.stringify(nested).includes(ACME.token));
    const inArrays = redactSecrets({ accounts: [{ id: 'a', token: 'in-an-array' }] }, ['token']);
    assert.deepEqual(inArrays, { accounts: [{ id: 'a', token: '[redacted]' }] });
  });

  test('secret marks are found at any depth of a schema: nested objects, arrays, records, unions', () => {
    const schema = Type.Object({
      plain: Type.String(),
      top: Type.String({ secret: true }),
      nested: Type.Object({ deep: Type.Object({ apiKey: Type.String({ secret: true }) }) }),
      accounts: Type.Array(Type.Object({ accessKeySecret: Type.String({ secret: true }) })),
      byRegion: Type.Record(Type.String(), Type.Object({ regionToken: Type.String({ secret: true }) })),
      auth: Type.Union([Type.Object({ password: Type.String({ secret: true }) }), Type.Object({ certificate: Type.String({ secret: true }) })]),
    });
    assert.deepEqual(secretKeys(schema).sort(), ['accessKeySecret', 'apiKey', 'certificate', 'password', 'regionToken', 'top']);
    const value = { plain: 'p', top: 't0p-secret', nested: { deep: { apiKey: 'deep-key' } }, accounts: [{ accessKeySecret: 'acct-secret' }], byRegion: { eu: { regionToken: 'eu-token' } }, auth: { password: 'pass-word' } };
    assert.deepEqual(secretValues(value, secretKeys(schema)).sort(), ['acct-secret', 'deep-key', 'eu-token', 'pass-word', 't0p-secret']);
  });

  test('the core configuration secrets are derived from its schema', () => {
    assert.deepEqual([...CORE_SECRET_KEYS].sort(), ['adminKey', 'keyPassword', 'password', 'signingKey', 'token']);
  });
});
