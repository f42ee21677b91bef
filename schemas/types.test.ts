import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { schemaRegistry } from './registry.js';
import type { AccountEvent, Alert, AuditEvent, FileEvent, GovernanceCommand, GovernanceResult, SchemaName } from './types.js';
import * as vocabulary from './vocabulary.js';
import { OCSF_CLASS } from './ocsf.js';

// `satisfies Record<keyof T, true>` fails the typecheck when a key is missing or extra, so these
// lists are the interfaces' exact field sets; the test compares them with the schemas.
const INTERFACE_FIELDS: Record<SchemaName, string[]> = {
  'audit-event': Object.keys({
    event_id: true, provider: true, instance: true, occurred_at: true, ingested_at: true, category: true, action: true,
    action_raw: true, outcome: true, outcome_reason: true, severity: true, actor: true, targets: true, source: true,
    session_id: true, request_id: true, class_uid: true, activity_id: true, attributes: true, raw: true,
  } satisfies Record<keyof AuditEvent, true>),
  'account-event': Object.keys({
    record_id: true, provider: true, instance: true, observed_at: true, kind: true, subject: true, status: true,
    status_raw: true, created_at: true, last_login_at: true, group: true, privilege: true, app: true, deleted: true,
    attributes: true, raw: true,
  } satisfies Record<keyof AccountEvent, true>),
  'file-event': Object.keys({
    record_id: true, provider: true, instance: true, observed_at: true, change: true, file: true, attributes: true, raw: true,
  } satisfies Record<keyof FileEvent, true>),
  alert: Object.keys({
    alert_id: true, policy_id: true, policy_version: true, title: true, severity: true, created_at: true, first_seen: true,
    last_seen: true, count: true, dedup_key: true, provider: true, instance: true, actor: true, event_ids: true,
    status: true, attributes: true,
  } satisfies Record<keyof Alert, true>),
  'governance-command': Object.keys({
    command_id: true, created_at: true, provider: true, instance: true, action: true, target: true, params: true,
    policy_id: true, alert_id: true, requested_by: true, mode: true, requires_approval: true,
  } satisfies Record<keyof GovernanceCommand, true>),
  'governance-result': Object.keys({
    command_id: true, status: true, provider: true, instance: true, action: true, target: true, attempt: true, at: true,
    message: true, retriable: true,
  } satisfies Record<keyof GovernanceResult, true>),
};

interface FieldJson { name: string; doc?: string; type: unknown }

function fieldsOf(name: SchemaName): FieldJson[] {
  return (schemaRegistry().schemaJson(name) as { fields: FieldJson[] }).fields;
}

function docOf(name: SchemaName, path: string): string {
  let fields = fieldsOf(name);
  let field: FieldJson | undefined;
  for (const part of path.split('.')) {
    field = fields.find((f) => f.name === part);
    assert.ok(field, `${name} has no field ${path}`);
    let type = field.type as { type?: unknown; items?: unknown; fields?: FieldJson[] } | unknown[];
    if (Array.isArray(type)) type = type.find((t) => t !== 'null') as typeof type;
    if (!Array.isArray(type) && type && typeof type === 'object' && (type as { type?: unknown }).type === 'array') type = (type as { items: typeof type }).items;
    fields = (!Array.isArray(type) && (type as { fields?: FieldJson[] })?.fields) || [];
  }
  return field!.doc ?? '';
}

describe('schemas and TypeScript types', () => {
  test('each interface has exactly the fields of its schema, in order', () => {
    for (const name of Object.keys(INTERFACE_FIELDS) as SchemaName[]) {
      assert.deepEqual(INTERFACE_FIELDS[name], fieldsOf(name).map((f) => f.name), name);
    }
  });

  test('every record and field of every schema has a doc', () => {
    const visit = (schema: unknown, where: string): void => {
      if (Array.isArray(schema)) return schema.forEach((b) => visit(b, where));
      if (!schema || typeof schema !== 'object') return;
      const s = schema as { type: unknown; doc?: string; name?: string; fields?: FieldJson[]; items?: unknown; values?: unknown };
      if (s.type === 'record') {
        assert.ok(s.doc, `record ${where}${s.name} has a doc`);
        for (const f of s.fields!) {
          assert.ok(f.doc, `field ${where}${s.name}.${f.name} has a doc`);
          visit(f.type, `${where}${s.name}.`);
        }
      }
      visit(s.items, where);
      visit(s.values, where);
      if (typeof s.type === 'object') visit(s.type, where);
    };
    for (const info of schemaRegistry().listSchemas()) visit(schemaRegistry().schemaJson(info.id), `${info.id}:`);
  });

  test('each vocabulary list is what the field doc documents', () => {
    const cases: Array<[readonly string[], SchemaName, string]> = [
      [vocabulary.PROVIDERS, 'audit-event', 'provider'],
      [vocabulary.AUDIT_CATEGORIES, 'audit-event', 'category'],
      [vocabulary.AUDIT_ACTIONS, 'audit-event', 'action'],
      [vocabulary.OUTCOMES, 'audit-event', 'outcome'],
      [vocabulary.ACTOR_TYPES, 'audit-event', 'actor.type'],
      [vocabulary.TARGET_TYPES, 'audit-event', 'targets.type'],
      [vocabulary.ACCOUNT_KINDS, 'account-event', 'kind'],
      [vocabulary.SUBJECT_TYPES, 'account-event', 'subject.type'],
      [vocabulary.ACCOUNT_STATUSES, 'account-event', 'status'],
      [vocabulary.FILE_CHANGES, 'file-event', 'change'],
      [vocabulary.ACCESS_LEVELS, 'file-event', 'file.access_level'],
      [vocabulary.COLLABORATOR_TYPES, 'file-event', 'file.collaborators.type'],
      [vocabulary.ALERT_SEVERITIES, 'alert', 'severity'],
      [vocabulary.ALERT_STATUSES, 'alert', 'status'],
      [vocabulary.GOVERNANCE_MODES, 'governance-command', 'mode'],
      [vocabulary.GOVERNANCE_STATUSES, 'governance-result', 'status'],
    ];
    for (const [values, schema, path] of cases) {
      const doc = docOf(schema, path);
      const documented = new Set(doc.match(/\b[a-z][a-z0-9_]*\b/g));
      for (const value of values) assert.ok(documented.has(value), `${schema} ${path}: the doc does not mention ${value}`);
    }
  });

  test('the class_uid doc names every OCSF class the normalizers write', () => {
    const doc = docOf('audit-event', 'class_uid').toLowerCase();
    for (const [key, uid] of Object.entries(OCSF_CLASS)) {
      const title = key.toLowerCase().replaceAll('_', ' ');
      assert.ok(doc.includes(`${uid} ${title}`), `audit-event class_uid: the doc does not name ${uid} ${title}`);
    }
  });
});
