import assert from 'node:assert/strict';
import { chmodSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { providerSchemas } from '../ingestors/registry.js';
import { freshDir, freshName } from '../test/support/fresh.js';
import { openClickHouse } from './clickhouse.js';
import { loadConfig } from './config.js';
import { isAppwardenError } from './errors.js';
import { kafkajsSecurity } from './kafka-security.js';
import { silentLogger } from './logger.js';

const dir = freshDir('appwarden-config-security');
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode: number): string {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  chmodSync(at, mode);
  return at;
}

const OKTA = 'connectors:\n  okta:\n    main:\n      orgUrl: https://acme.okta.com\n';

describe('configuration of transport security', () => {
  test('Kafka TLS and SASL come from the environment and reach the client options', () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 0o644);
    const config = loadConfig({
      env: { KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: ca, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw-1' },
      providerSchemas: providerSchemas(),
    });
    assert.deepEqual(config.kafka.sasl, { mechanism: 'scram-sha-512', username: 'svc', password: 'pw-1' });
    assert.equal(config.kafka.ssl?.caFile, ca);
    assert.equal(config.kafka.ssl?.rejectUnauthorized, true, 'certificates are verified unless turned off');
    const options = kafkajsSecurity(config.kafka);
    assert.deepEqual(options.sasl, { mechanism: 'scram-sha-512', username: 'svc', password: 'pw-1' });
    assert.match(String((options.ssl as { ca: string[] }).ca[0]), /BEGIN CERTIFICATE/);
  });

  test('an unknown SASL mechanism or a missing password is refused with the setting named', () => {
    for (const [env, expected] of [
      [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }, /kafka\.sasl\.mechanism/],
      [{ KAFKA_SASL_USERNAME: 'a' }, /kafka\.sasl\.password: required/],
    ] as const) {
      assert.throws(() => loadConfig({ env, providerSchemas: providerSchemas() }), (err) => isAppwardenError(err, 'AW_CONFIG_INVALID') && expected.test(err.message));
    }
  });

  test('a CA file that cannot be read fails at start, naming the setting', () => {
    assert.throws(() => kafkajsSecurity({ ssl: { caFile: path.join(dir, 'missing.pem') } }), /kafka\.ssl\.caFile: cannot read .*ENOENT/);
  });

  test('a configuration file holding a secret that others can read gets a warning; a private one or ${NAME} does not', () => {
    const secret = `${OKTA}      token: 00literalSecretToken\n`;
    const readable: string[] = [];
    loadConfig({ file: file('open.yaml', secret, 0o644), env: {}, providerSchemas: providerSchemas(), warnings: readable });
    assert.equal(readable.length, 1);
    assert.match(readable[0]!, /open\.yaml holds secrets \(connectors\.okta\.main\.token\) and other users can read it/);
    assert.doesNotMatch(readable[0]!, /00literalSecretToken/, 'the warning never repeats the secret');

    const privateFile: string[] = [];
    loadConfig({ file: file('private.yaml', secret, 0o600), env: {}, providerSchemas: providerSchemas(), warnings: privateFile });
    assert.deepEqual(privateFile, []);

    const referenced: string[] = [];
    loadConfig({
      file: file('ref.yaml', `${OKTA}      token: \${OKTA_TOKEN}\n`, 0o644), env: { OKTA_TOKEN: 'x' }, providerSchemas: providerSchemas(), warnings: referenced,
    });
    assert.deepEqual(referenced, [], 'a secret passed in the environment is not in the file');
  });

  test('a YAML alias bomb in the configuration file is refused, not expanded', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    assert.throws(
      () => loadConfig({ file: file('bomb.yaml', `${lines.join('\n')}\n`, 0o600), env: {}, providerSchemas: providerSchemas() }),
      (err) => isAppwardenError(err, 'AW_CONFIG_INVALID') && /cannot read configuration file .*bomb\.yaml/.test(err.message),
    );
  });

  test("embedded ClickHouse keeps its data folder private", async () => {
    const dataDir = path.join(dir, 'chdb');
    const clickhouse = await openClickHouse({ dataDir, database: freshName('perm'), log: silentLogger });
    try {
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    } finally {
      await clickhouse.close();
    }
  });
});
