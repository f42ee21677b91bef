import Type, { type Static, type TSchema } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ConnectorDefinition } from '../../ingestors/contract.js';

const SettingSchema = Type.Object({
  name: Type.String(),
  type: Type.String({ description: 'string, integer, number, boolean, object or array (JSON)' }),
  required: Type.Boolean(),
  secret: Type.Boolean({ description: 'kept encrypted, or given as { "env": "NAME" } / { "file": "/path" }; never answered' }),
  description: Type.Union([Type.String(), Type.Null()]),
  example: Type.Union([Type.String(), Type.Null()], { description: "the schema's example or default, as text" }),
  enum: Type.Union([Type.Array(Type.String()), Type.Null()]),
});

const ProviderSchema = Type.Object({
  provider: Type.String(),
  name: Type.String(),
  settings: Type.Array(SettingSchema, { description: "the provider's own settings (the common ones, schedule, limits, activities, are for every provider)" }),
  capabilities: Type.Array(Type.String()),
  actions: Type.Array(Type.String(), { description: 'the governance verbs the connector can carry out' }),
});

type Setting = Static<typeof SettingSchema>;

/** The top-level settings of a provider's configuration schema, as a form shows them. */
export function settingsOf(schema: TSchema): Setting[] {
  const node = schema as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const required = new Set(node.required ?? []);
  return Object.entries(node.properties ?? {}).map(([name, s]) => {
    const values = (s.enum ?? (s.anyOf as Array<{ const?: unknown }> | undefined)?.map((a) => a.const).filter((v) => v !== undefined)) as unknown[] | undefined;
    const example = (s.examples as unknown[] | undefined)?.[0] ?? s.default;
    return {
      name,
      type: typeof s.type === 'string' ? s.type : values ? 'string' : 'object',
      // A setting with a default may be left out, whatever the schema's `required` says.
      required: required.has(name) && s.default === undefined,
      secret: s.secret === true,
      description: typeof s.description === 'string' ? s.description : null,
      example: example === undefined ? null : typeof example === 'string' ? example : JSON.stringify(example),
      enum: values && values.length > 0 ? values.map(String) : null,
    };
  });
}

/**
 * `GET /v1/providers`: the providers this server can connect, each with its settings (what the
 * console's connect form asks for), capabilities and governance verbs.
 */
export function providerRoutes(app: FastifyInstance, deps: { definitions: ReadonlyMap<string, ConnectorDefinition> | null }): void {
  app.get('/v1/providers', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Providers that can be connected: their settings, capabilities and governance actions',
      tags: ['connectors'],
      response: { 200: Type.Object({ items: Type.Array(ProviderSchema) }) },
    },
  }, async () => ({
    items: [...(deps.definitions?.values() ?? [])].map((d) => ({
      provider: d.id, name: d.displayName, settings: settingsOf(d.configSchema),
      capabilities: [...d.capabilities], actions: [...(d.actions?.verbs ?? [])],
    })),
  }));
}
