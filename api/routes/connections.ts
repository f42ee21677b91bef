import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { secretKeys } from '../../core/config.js';
import { AppwardenError, isAppwardenError } from '../../core/errors.js';
import type { ConnectorDefinition } from '../../ingestors/contract.js';
import type { ConnectionApplier } from '../../ingestors/runtime/connection-applier.js';
import { mergeSettings } from '../../ingestors/runtime/connection-applier.js';
import { SCAN_KINDS, type ConnectionStore, type StoredConnection } from '../../ingestors/runtime/connection-store.js';
import type { Connections } from '../../ingestors/runtime/connections.js';
import { describeSecrets, sealSecrets } from '../../ingestors/runtime/secret-refs.js';
import { purgeInstance } from '../../processors/sink/catalogue/purge.js';
import { principalOf } from '../auth/guard.js';
import { badRequest } from '../errors.js';
import { ErrorBodySchema } from '../schemas.js';

/** What the connection routes need; without it they answer 503. */
export interface ConnectionAdmin {
  store: ConnectionStore;
  applier: ConnectionApplier;
  connections: Connections;
  definitions: ReadonlyMap<string, ConnectorDefinition>;
  secretsKey: Buffer | null;
}

const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description: "the provider's settings (orgUrl, token...) and the common ones (schedule, limits, activities). A secret is a string (kept encrypted, needs APPWARDEN_SECRETS_KEY), { \"env\": \"NAME\" } or { \"file\": \"/path\" }",
});
const CreateSchema = Type.Object({
  provider: Type.String({ minLength: 1 }),
  instance: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 64, description: 'lower-case letters, digits, _ and -' }),
  settings: Settings,
  paused: Type.Optional(Type.Boolean({ description: 'store it without running it' })),
}, { additionalProperties: false });
const PatchSchema = Type.Object({
  state: Type.Optional(Type.Enum(['active', 'paused'] as const, { description: 'pause or resume' })),
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'settings to change (merged over the current ones): schedule, limits, rotated credentials' })),
}, { additionalProperties: false });
const Params = Type.Object({ provider: Type.String({ minLength: 1 }), instance: Type.String({ minLength: 1 }) });
const ScanSchema = Type.Object({ kinds: Type.Optional(Type.Array(Type.Enum(SCAN_KINDS), { minItems: 1, description: 'default both' })) }, { additionalProperties: false });
const ConnectionSchema = Type.Object({
  provider: Type.String(),
  instance: Type.String(),
  state: Type.String({ description: 'active, paused or disconnected' }),
  source: Type.String({ description: 'api: added at run time; configuration: from the configuration file (changes at run time go over it)' }),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'secrets shown as their reference, or [encrypted]' }),
  problem: Type.Union([Type.String(), Type.Null()], { description: 'why the settings could not be applied (a variable not set, a file missing)' }),
  updated_at: Type.Union([Type.String(), Type.Null()]),
  updated_by: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: true });

type Params = Static<typeof Params>;

/**
 * Connections at run time: add, change (pause, resume, schedule, limits, credentials), disconnect,
 * test and scan connector instances. Changes go to the connections topic; the processes with the
 * connectors role apply them without a restart. Every route is admin-only, and every change is in the audit trail.
 */
export function connectionRoutes(app: FastifyInstance, deps: { admin: ConnectionAdmin | null; clickhouse: ClickHouse }): void {
  const admin = (): ConnectionAdmin => {
    if (!deps.admin) throw new AppwardenError('AW_NOT_READY', 'this API process manages no connections (it has no Kafka)');
    return deps.admin;
  };
  const definition = (provider: string, field: string): ConnectorDefinition => {
    const found = admin().definitions.get(provider);
    if (!found) throw badRequest(`${field}: unknown provider ${JSON.stringify(provider)} (known: ${[...admin().definitions.keys()].join(', ')})`, 'provider');
    return found;
  };
  const describe = (provider: string, instance: string): Static<typeof ConnectionSchema> => {
    const a = admin();
    const stored = a.store.get(provider, instance);
    const inFile = a.connections.fromFile(provider, instance) !== undefined;
    if (!stored && !inFile) throw new AppwardenError('AW_NOT_FOUND', `no connector instance ${provider}.${instance}`, { details: { field: 'instance' } });
    const keys = secretKeys(definition(provider, 'provider').configSchema);
    return {
      provider, instance, state: stored?.state ?? 'active', source: inFile ? 'configuration' : 'api',
      settings: describeSecrets(stored?.settings ?? {}, keys), problem: a.applier.problem(provider, instance) ?? null,
      updated_at: stored?.updated_at ?? null, updated_by: stored?.updated_by ?? null,
    };
  };
  /** Seals the secrets of `change`, merges it over `base` (stored, sealed) and checks the result makes a valid instance; 400 naming the setting otherwise. */
  const checked = (provider: string, instance: string, change: Record<string, unknown>, base: Record<string, unknown> = {}): Record<string, unknown> => {
    const a = admin();
    const sealed = mergeSettings(base, sealSecrets(change, secretKeys(definition(provider, 'body.provider').configSchema), a.secretsKey, 'body.settings'));
    try {
      a.applier.effectiveConfig({ provider, instance, settings: sealed });
    } catch (err) {
      if (!isAppwardenError(err, 'AW_CONFIG_INVALID')) throw err;
      const problems = (err.details.problems as string[] | undefined) ?? [err.message];
      const first = problems[0]!.replace(/^instance\.?/, '');
      throw badRequest(`body.settings.${problems.map((p) => p.replace(/^instance\.?/, '')).join('; body.settings.')}`, `settings.${first.split(':')[0]}`);
    }
    return sealed;
  };
  const write = async (connection: StoredConnection): Promise<void> => {
    await admin().store.put(connection);
  };

  app.post('/v1/connectors', {
    config: { role: 'admin' },
    schema: {
      summary: 'Connect a new instance (or reconnect a disconnected one)', tags: ['connectors'], body: CreateSchema,
      response: { 201: ConnectionSchema, 400: ErrorBodySchema, 409: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const body = request.body as Static<typeof CreateSchema>;
    const a = admin();
    definition(body.provider, 'body.provider');
    const existing = a.store.get(body.provider, body.instance);
    if ((existing && existing.state !== 'disconnected') || (!existing && a.connections.fromFile(body.provider, body.instance))) {
      throw new AppwardenError('AW_CONNECTION_EXISTS', `${body.provider}.${body.instance} exists: change it with PATCH /v1/connectors/${body.provider}/${body.instance}`, { details: { field: 'instance' } });
    }
    const settings = checked(body.provider, body.instance, body.settings);
    const now = new Date().toISOString();
    await write({
      provider: body.provider, instance: body.instance, state: body.paused ? 'paused' : 'active', settings, scan_requests: {},
      created_at: now, updated_at: now, updated_by: principalOf(request).id,
    });
    request.auditNote = { target: `${body.provider}.${body.instance}`, summary: `connected ${body.provider}.${body.instance}` };
    return reply.status(201).send(describe(body.provider, body.instance));
  });


  app.get('/v1/connectors/:provider/:instance', {
    config: { role: 'analyst' },
    schema: { summary: "A connection's settings (secrets as references) and state", tags: ['connectors'], params: Params, response: { 200: ConnectionSchema, 400: ErrorBodySchema } },
  }, async (request) => {
    const { provider, instance } = request.params as Params;
    return describe(provider, instance);
  });

  app.patch('/v1/connectors/:provider/:instance', {
    config: { role: 'admin' },
    schema: { summary: 'Pause, resume, change the schedule or limits, rotate credentials', tags: ['connectors'], params: Params, body: PatchSchema, response: { 200: ConnectionSchema, 400: ErrorBodySchema } },
  }, async (request) => {
    const { provider, instance } = request.params as Params;
    const body = request.body as Static<typeof PatchSchema>;
    const current = describe(provider, instance);
    if (current.state === 'disconnected') throw new AppwardenError('AW_NOT_FOUND', `${provider}.${instance} is disconnected: POST /v1/connectors to connect it again`, { details: { field: 'instance' } });
    const stored = admin().store.get(provider, instance);
    let settings = stored?.settings ?? {};
    if (body.settings) settings = checked(provider, instance, body.settings, settings);
    const now = new Date().toISOString();
    const next: StoredConnection = {
      provider, instance, state: body.state ?? (stored?.state === 'paused' ? 'paused' : 'active'), settings,
      scan_requests: stored?.scan_requests ?? {}, created_at: stored?.created_at ?? now, updated_at: now, updated_by: principalOf(request).id,
    };
    await write(next);
    request.auditNote = {
      target: `${provider}.${instance}`,
      summary: [body.state ? `state ${body.state}` : null, body.settings ? `settings changed: ${Object.keys(body.settings).join(', ')}` : null].filter(Boolean).join('; ') || 'no change',
    };
    return { ...current, state: next.state, settings: describeSecrets(settings, secretKeys(definition(provider, 'provider').configSchema)), updated_at: now, updated_by: next.updated_by };
  });

  app.delete('/v1/connectors/:provider/:instance', {
    config: { role: 'admin' },
    schema: {
      summary: 'Disconnect: stop the instance; keep its data, or purge it (purge=true)', tags: ['connectors'], params: Params,
      querystring: Type.Object({ purge: Type.Optional(Type.Boolean({ description: "also delete the instance's activities, accounts (with its app grants) and files from ClickHouse; alerts, the governance log and the audit trail stay" })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ provider: Type.String(), instance: Type.String(), state: Type.String(), purged: Type.Boolean() }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const { provider, instance } = request.params as Params;
    const { purge } = request.query as { purge?: boolean };
    describe(provider, instance);
    const stored = admin().store.get(provider, instance);
    const now = new Date().toISOString();
    await write({
      provider, instance, state: 'disconnected', settings: stored?.settings ?? {}, scan_requests: stored?.scan_requests ?? {},
      created_at: stored?.created_at ?? now, updated_at: now, updated_by: principalOf(request).id,
    });
    if (purge) await purgeInstance(deps.clickhouse, provider, instance);
    request.auditNote = { target: `${provider}.${instance}`, summary: `disconnected ${provider}.${instance}${purge ? ', data purged' : ', data kept'}` };
    return { provider, instance, state: 'disconnected', purged: purge === true };
  });

  app.post('/v1/connectors/:provider/:instance/test', {
    config: { role: 'admin' },
    schema: {
      summary: 'Check the credentials now and report the permissions they carry and those missing', tags: ['connectors'], params: Params,
      body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      response: { 200: Type.Object({ ok: Type.Boolean(), permissions: Type.Array(Type.String()), missing: Type.Array(Type.Object({ capability: Type.String(), reason: Type.String() }, { additionalProperties: true })) }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const { provider, instance } = request.params as Params;
    const a = admin();
    if (!a.connections.has(provider, instance)) {
      const problem = a.applier.problem(provider, instance);
      throw new AppwardenError('AW_NOT_FOUND', problem ? `${provider}.${instance}: ${problem}` : `${provider}.${instance} is not connected`, { details: { field: 'instance' } });
    }
    const check = await a.connections.get(provider, instance).checkCredentials();
    request.auditNote = { target: `${provider}.${instance}`, summary: `credentials tested: ${check.ok ? 'accepted' : 'refused'}` };
    return { ok: check.ok, permissions: check.permissions, missing: check.missing };
  });

  app.post('/v1/connectors/:provider/:instance/scan', {
    config: { role: 'admin' },
    schema: {
      summary: 'Scan accounts and/or files now', description: 'The process running the instance starts the scans at its next turn; follow them in GET /v1/connectors.',
      tags: ['connectors'], params: Params, body: ScanSchema,
      response: { 202: Type.Object({ provider: Type.String(), instance: Type.String(), kinds: Type.Array(Type.String()), requested_at: Type.String() }), 400: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const { provider, instance } = request.params as Params;
    const kinds = (request.body as Static<typeof ScanSchema> | undefined)?.kinds ?? [...SCAN_KINDS];
    const current = describe(provider, instance);
    if (current.state !== 'active') throw new AppwardenError('AW_NOT_FOUND', `${provider}.${instance} is ${current.state}: resume it first`, { details: { field: 'instance' } });
    const stored = admin().store.get(provider, instance);
    const now = new Date().toISOString();
    await write({
      provider, instance, state: 'active', settings: stored?.settings ?? {}, created_at: stored?.created_at ?? now, updated_at: stored?.updated_at ?? now,
      updated_by: stored?.updated_by ?? principalOf(request).id, scan_requests: { ...stored?.scan_requests, ...Object.fromEntries(kinds.map((k) => [k, now])) },
    });
    request.auditNote = { target: `${provider}.${instance}`, summary: `scan asked for: ${kinds.join(', ')}` };
    return reply.status(202).send({ provider, instance, kinds, requested_at: now });
  });
}
