import type { TSchema } from 'typebox';
import { ConfigSchema, type AppConfig } from '../../core/config.js';
import { providerSchemas } from '../../ingestors/registry.js';

/** Every value of a configuration that its schemas mark `secret: true` (connectors' credentials included). */
export function configSecrets(config: AppConfig): string[] {
  const out: string[] = [];
  const { connectors, ...rest } = config;
  collect(ConfigSchema, rest, out);
  const schemas = providerSchemas();
  for (const [provider, instances] of Object.entries(connectors)) {
    const schema = schemas[provider];
    if (schema) for (const settings of Object.values(instances)) collect(schema, settings, out);
  }
  return out;
}

function collect(schema: TSchema | undefined, value: unknown, out: string[]): void {
  if (!schema || value === undefined || value === null) return;
  const node = schema as TSchema & { secret?: boolean; properties?: Record<string, TSchema>; anyOf?: TSchema[]; allOf?: TSchema[]; items?: TSchema };
  if (node.secret && typeof value === 'string') out.push(value);
  for (const sub of [...(node.anyOf ?? []), ...(node.allOf ?? [])]) collect(sub, value, out);
  if (node.properties && typeof value === 'object') {
    for (const [key, sub] of Object.entries(node.properties)) collect(sub, (value as Record<string, unknown>)[key], out);
  }
  if (node.items && Array.isArray(value)) for (const item of value) collect(node.items, item, out);
}
