import { randomUUID } from 'node:crypto';
import type { KafkaBus } from './kafka.js';

/**
 * One change made through the API or the CLI: who (from the credential), with which role, when, from
 * where, and what. Published as JSON on `<prefix>.audit_trail` (append-only, never rewritten); the sink
 * stores it in the `audit_trail` table, which no route changes.
 */
export interface AuditTrailEntry {
  entry_id: string;
  /** ISO 8601. */
  at: string;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  /** The client's address; null from the CLI. */
  ip: string | null;
  /** `PUT /v1/policies/:id`, or `cli keys create`. */
  action: string;
  /** What it acted on: the policy, alert, command or key id. */
  target: string | null;
  /** What changed, in a sentence or a small JSON. */
  summary: string;
  /** The HTTP status answered (0 from the CLI). */
  status: number;
}

export type NewAuditTrailEntry = Omit<AuditTrailEntry, 'entry_id' | 'at'>;

/** Publishes one entry; resolves once Kafka acknowledged it. Keyed by actor, so one actor's changes stay in order. */
export async function recordAuditTrail(bus: Pick<KafkaBus, 'send' | 'topics'>, entry: NewAuditTrailEntry): Promise<AuditTrailEntry> {
  const full: AuditTrailEntry = { entry_id: randomUUID(), at: new Date().toISOString(), ...entry };
  await bus.send(bus.topics.auditTrail, [{ key: full.actor_id, value: Buffer.from(JSON.stringify(full)) }]);
  return full;
}

/** Reads an entry from a message value; throws on anything else. */
export function parseAuditTrailEntry(value: Buffer): AuditTrailEntry {
  const e = JSON.parse(value.toString('utf8')) as Partial<AuditTrailEntry>;
  const strings = ['entry_id', 'at', 'actor_id', 'actor_name', 'actor_role', 'action', 'summary'] as const;
  for (const k of strings) if (typeof e[k] !== 'string') throw new Error(`an audit trail entry without ${k}`);
  if (!Number.isFinite(Date.parse(e.at!))) throw new Error('an audit trail entry with an invalid time');
  return {
    entry_id: e.entry_id!, at: e.at!, actor_id: e.actor_id!, actor_name: e.actor_name!, actor_role: e.actor_role!,
    ip: typeof e.ip === 'string' ? e.ip : null, action: e.action!, target: typeof e.target === 'string' ? e.target : null,
    summary: e.summary!, status: typeof e.status === 'number' ? e.status : 0,
  };
}
