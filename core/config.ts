import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Type, { type TSchema } from 'typebox';
import Value from 'typebox/value';
import YAML from 'yaml';
import { ConfigSchema, InstanceSettingsSchema, type AppConfig, type InstanceConfig } from './config-schema.js';
import { AppwardenError } from './errors.js';
import { secretKeys } from './secret-settings.js';

// The schema and the secret helpers have their own modules; importers keep reading them from here.
export * from './config-schema.js';
export { redactSecrets, secretKeys, secretValues } from './secret-settings.js';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A YAML or JSON file; defaults to `APPWARDEN_CONFIG`. */
  file?: string;
  /** Overrides applied after the file and the environment (tests, the CLI). */
  overrides?: Partial<Record<keyof AppConfig, unknown>>;
  /** The provider-specific schema of each registered provider. */
  providerSchemas: Record<string, TSchema>;
  /** Per provider, defaults of the shared instance settings that suit it (under what the user set). */
  providerDefaults?: Record<string, Record<string, unknown>>;
  /** Receives what is allowed but unsafe (a file holding secrets that others may read); the caller logs it. */
  warnings?: string[];
}

/**
 * Reads the configuration from a file, the environment and overrides, checks it against one schema
 * and reports every problem at once, with its path (`connectors.okta.main.token: required`).
 */
export function loadConfig(options: LoadConfigOptions): AppConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const file = options.file ?? env.APPWARDEN_CONFIG;
  const fromFile = file ? readConfigFile(file, env, problems, secretNames(options.providerSchemas), options.warnings) : {};
  const merged = mergeDeep(mergeDeep(fromFile, fromEnvironment(env)), (options.overrides ?? {}) as Record<string, unknown>);
  // Convert and Default change values in place: work on a copy, never on the caller's overrides.
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, structuredClone(merged))) as Record<string, unknown>;
  problems.push(...collectErrors(ConfigSchema, withDefaults, ''));
  const api = withDefaults.api as { host?: string; authentication?: boolean } | undefined;
  if (api?.authentication === false && api.host !== undefined && !isLoopback(api.host)) {
    problems.push(`api.authentication: cannot be off when the API listens on ${api.host}, which is not a loopback address`);
  }

  const clickhouse = withDefaults.clickhouse as { url?: string; cluster?: string } | undefined;
  if (clickhouse?.cluster !== undefined && clickhouse.url === undefined) {
    problems.push('clickhouse.cluster: needs clickhouse.url (CLICKHOUSE_URL): embedded ClickHouse is one process, not a cluster');
  }

  const connectors: Record<string, Record<string, InstanceConfig>> = {};
  const rawConnectors = (withDefaults.connectors ?? {}) as Record<string, Record<string, unknown>>;
  for (const [provider, instances] of Object.entries(rawConnectors)) {
    const providerSchema = options.providerSchemas[provider];
    if (!providerSchema) {
      problems.push(`connectors.${provider}: unknown provider (known: ${Object.keys(options.providerSchemas).join(', ')})`);
      continue;
    }
    const schema = instanceSchema(providerSchema);
    connectors[provider] = {};
    for (const [id, raw] of Object.entries(instances ?? {})) {
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) problems.push(`connectors.${provider}.${id}: instance ids are lower-case letters, digits, _ and -`);
      const value = instanceDefaults(schema, providerSchema, mergeDeep(options.providerDefaults?.[provider] ?? {}, (raw ?? {}) as Record<string, unknown>));
      problems.push(...collectErrors(schema, value, `connectors.${provider}.${id}`));
      connectors[provider][id] = value as InstanceConfig;
    }
  }
  if (problems.length > 0) {
    throw new AppwardenError('AW_CONFIG_INVALID', `configuration is invalid:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return Object.freeze({ ...(withDefaults as Omit<AppConfig, 'connectors'>), connectors }) as AppConfig;
}

/** localhost, 127.0.0.0/8 and ::1: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** Builds the per-instance settings from defaults, for code that creates instances without a file. */
export function instanceConfig(providerSchema: TSchema, raw: Record<string, unknown>, defaults: Record<string, unknown> = {}): InstanceConfig {
  const schema = instanceSchema(providerSchema);
  const value = instanceDefaults(schema, providerSchema, mergeDeep(defaults, raw));
  const problems = collectErrors(schema, value, 'instance');
  if (problems.length > 0) throw new AppwardenError('AW_CONFIG_INVALID', problems.join('; '), { details: { problems } });
  return value as InstanceConfig;
}

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  const set = (section: string, key: string, value: unknown) => { (out[section] ??= {})[key] = value; };
  if (env.KAFKA_BROKERS) set('kafka', 'brokers', env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean));
  if (env.KAFKA_TOPIC_PREFIX) set('kafka', 'topicPrefix', env.KAFKA_TOPIC_PREFIX);
  if (env.KAFKA_PARTITIONS) set('kafka', 'partitions', Number(env.KAFKA_PARTITIONS));
  if (env.KAFKA_REPLICATION_FACTOR) set('kafka', 'replicationFactor', Number(env.KAFKA_REPLICATION_FACTOR));
  if (env.KAFKA_PRODUCER_CLIENT) set('kafka', 'producerClient', env.KAFKA_PRODUCER_CLIENT);
  if (env.KAFKA_SSL && !/^(0|false|no)$/i.test(env.KAFKA_SSL)) set('kafka', 'ssl', env.KAFKA_SSL_CA_FILE ? { caFile: env.KAFKA_SSL_CA_FILE } : {});
  if (env.KAFKA_SASL_MECHANISM || env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    set('kafka', 'sasl', {
      mechanism: env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512',
      ...(env.KAFKA_SASL_USERNAME ? { username: env.KAFKA_SASL_USERNAME } : {}),
      ...(env.KAFKA_SASL_PASSWORD ? { password: env.KAFKA_SASL_PASSWORD } : {}),
    });
  }
  if (env.CLICKHOUSE_URL) set('clickhouse', 'url', env.CLICKHOUSE_URL);
  if (env.CLICKHOUSE_USER) set('clickhouse', 'username', env.CLICKHOUSE_USER);
  if (env.CLICKHOUSE_PASSWORD) set('clickhouse', 'password', env.CLICKHOUSE_PASSWORD);
  if (env.CLICKHOUSE_DATABASE) set('clickhouse', 'database', env.CLICKHOUSE_DATABASE);
  if (env.CLICKHOUSE_DATA_DIR) set('clickhouse', 'dataDir', env.CLICKHOUSE_DATA_DIR);
  if (env.CLICKHOUSE_CLUSTER) set('clickhouse', 'cluster', env.CLICKHOUSE_CLUSTER);
  if (env.CLICKHOUSE_TLS_CA_FILE) set('clickhouse', 'tls', { caFile: env.CLICKHOUSE_TLS_CA_FILE });
  if (env.APPWARDEN_POLICY_DIRS) set('policies', 'folders', env.APPWARDEN_POLICY_DIRS.split(',').map((d) => d.trim()).filter(Boolean));
  if (env.PORT) set('api', 'port', Number(env.PORT));
  if (env.HOST) set('api', 'host', env.HOST);
  if (env.APPWARDEN_ADMIN_KEY) set('api', 'adminKey', env.APPWARDEN_ADMIN_KEY);
  const top: Record<string, unknown> = { ...out };
  if (env.APPWARDEN_DATA_DIR) top.dataDir = env.APPWARDEN_DATA_DIR;
  if (env.APPWARDEN_MEMORY_LOG_MS) top.memoryLogEveryMs = Number(env.APPWARDEN_MEMORY_LOG_MS);
  if (env.APPWARDEN_SIMULATE) top.simulate = !/^(0|false|no)$/i.test(env.APPWARDEN_SIMULATE);
  return top;
}

/** The common settings and the provider's own as one closed object, so that a misspelt key is reported. */
function instanceSchema(providerSchema: TSchema): TSchema {
  const merged = Type.Evaluate(Type.Intersect([InstanceSettingsSchema, providerSchema])) as TSchema;
  // A provider schema that says how to treat other keys keeps its choice.
  if (!Type.IsObject(merged) || 'additionalProperties' in providerSchema) return merged;
  return Type.Object(merged.properties, { additionalProperties: false });
}

function instanceDefaults(schema: TSchema, providerSchema: TSchema, raw: unknown): unknown {
  const converted = Value.Convert(schema, structuredClone(raw));
  return Value.Default(providerSchema, Value.Default(InstanceSettingsSchema, converted));
}

/** The file's settings, `${NAME}` replaced; what goes wrong is added to `problems`. */
function readConfigFile(
  file: string, env: NodeJS.ProcessEnv, problems: string[], secrets: ReadonlySet<string>, warnings: string[] | undefined,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(path.resolve(file), 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    problems.push(`cannot read configuration file ${file}: ${(err as Error).message.split('\n', 1)[0]}`);
    return {};
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    problems.push(`configuration file ${file}: must be a mapping of settings`);
    return {};
  }
  const literal = literalSecretPaths(parsed, secrets, '');
  if (literal.length > 0 && warnings && readableByOthers(file)) {
    warnings.push(`configuration file ${file} holds secrets (${literal.join(', ')}) and other users can read it: `
      + 'chmod 600 it, or write ${NAME} and pass the secret in the environment');
  }
  return interpolateEnv(parsed, env, problems, '') as Record<string, unknown>;
}

/** Names of the settings marked `secret: true`, in the common settings and every provider's. */
function secretNames(providerSchemas: Record<string, TSchema>): Set<string> {
  return new Set([ConfigSchema, ...Object.values(providerSchemas)].flatMap((schema) => secretKeys(schema)));
}

/** Paths of secret settings written in the file itself rather than as a `${NAME}` reference. */
function literalSecretPaths(value: unknown, secrets: ReadonlySet<string>, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => literalSecretPaths(v, secrets, `${at}[${i}]`));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = at ? `${at}.${k}` : k;
    if (secrets.has(k) && typeof v === 'string') return /^(\$\{[A-Za-z_][A-Za-z0-9_]*\})+$/.test(v.trim()) ? [] : [here];
    return literalSecretPaths(v, secrets, here);
  });
}

function readableByOthers(file: string): boolean {
  try {
    return (statSync(path.resolve(file)).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/**
 * Replaces `${NAME}` in the file's string values with the environment's value, so secrets stay
 * out of the file. Done after parsing: a value is never read as YAML, so a secret holding `#`,
 * `: ` or a leading `*` arrives intact, and a reference in a comment is no reference.
 */
function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, problems: string[], at: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      const found = env[name];
      if (found !== undefined) return found;
      problems.push(`${at || '(root)'}: environment variable ${name} is not set`);
      return whole;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, problems, `${at}[${i}]`));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, problems, at ? `${at}.${k}` : k)]));
  }
  return value;
}

function collectErrors(schema: TSchema, value: unknown, prefix: string): string[] {
  const out: string[] = [];
  for (const error of Value.Errors(schema, value)) {
    if (['boolean', 'allOf'].includes(error.keyword as string)) continue; // restated by a more precise error
    const at = [prefix, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
    const params = error.params as { requiredProperties?: string[]; additionalProperties?: string[] };
    if (error.keyword === 'required' && params.requiredProperties) {
      for (const p of params.requiredProperties) out.push(`${at ? `${at}.` : ''}${p}: required`);
    } else if (error.keyword === 'additionalProperties' && params.additionalProperties) {
      for (const p of params.additionalProperties) out.push(`${at ? `${at}.` : ''}${p}: unknown setting`);
    } else {
      out.push(`${at || '(root)'}: ${describeError(schema, error)}`);
    }
  }
  return [...new Set(out)];
}

/** A pattern means little to a reader: say what the value must be when the schema describes it. */
function describeError(schema: TSchema, error: { keyword: unknown; schemaPath: string; message: string; params?: unknown }): string {
  const allowed = (error.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
  if (error.keyword === 'enum' && Array.isArray(allowed)) return `must be one of ${allowed.join(', ')}`;
  if (error.keyword !== 'pattern') return error.message;
  let node: unknown = schema;
  for (const part of error.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = isPlainObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  const description = isPlainObject(node) ? node.description : undefined;
  return typeof description === 'string' ? `must be ${description}` : error.message;
}

/** `b` over `a`, object by object; an object `isLeaf` accepts (a secret reference) replaces, whole. */
export function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>, isLeaf: (v: Record<string, unknown>) => boolean = () => false): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) && !isLeaf(v) ? mergeDeep(prev, v, isLeaf) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
