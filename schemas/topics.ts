import type { SchemaName } from './types.js';

/** The topic each schema is published on, after the configured prefix: `<prefix>.<suffix>`. */
export const TOPIC_SUFFIXES: Record<SchemaName, string> = {
  'audit-event': 'audit',
  'account-event': 'account',
  'file-event': 'file',
  alert: 'alert',
  'governance-command': 'governance.command',
  'governance-result': 'governance.result',
};

/** The full topic name for a schema, e.g. `topicFor('appwarden', 'audit-event')` is `appwarden.audit`. */
export function topicFor(prefix: string, schema: SchemaName): string {
  return `${prefix}.${TOPIC_SUFFIXES[schema]}`;
}
