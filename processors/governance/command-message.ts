import type { KafkaMessage } from '../../core/kafka.js';
import { encode } from '../../schemas/registry.js';
import type { GovernanceCommand } from '../../schemas/types.js';

/**
 * Headers of a message on the command topic. A message without `aw-intent` is a command to carry
 * out; `approve` and `retry` carry the same command again and ask the executor to approve it, or to
 * try a failed one again. The value is always the command, so every consumer of the topic can read it.
 */
export const INTENT_HEADER = 'aw-intent';
/** On a revert: the id of the command it undoes. */
export const REVERTS_HEADER = 'aw-reverts';
/** Who asked (the command, its approval, retry or revert), from their credential: JSON `{ id, name, role }`. */
export const REQUESTED_BY_HEADER = 'aw-requested-by';

export const COMMAND_INTENTS = ['execute', 'approve', 'retry'] as const;
export type CommandIntent = (typeof COMMAND_INTENTS)[number];

export interface CommandEnvelope {
  intent: CommandIntent;
  reverts?: string;
  requestedBy?: Requester;
}

/** The authenticated caller who asked, as the API publishes it (`id`: `key:<key id>` or `oidc:<subject>`). */
export interface Requester {
  id: string;
  name: string;
  /** analyst, policy-author, responder or admin. */
  role: string;
}

/**
 * The key of a command on `<prefix>.governance.command`: its target (provider, instance, type, id),
 * so that every message about one target (the command, its approval, retry, revert, and commands
 * that conflict with it) stays in order on one partition and reaches one executor.
 */
export function commandKey(command: Pick<GovernanceCommand, 'provider' | 'instance' | 'target'>): string {
  return `${command.provider}/${command.instance}/${command.target.type}/${command.target.id}`;
}

/** The Kafka message of a command, keyed by its target (see `commandKey`). */
export function commandMessage(command: GovernanceCommand, envelope: Partial<CommandEnvelope> = {}): KafkaMessage {
  const headers: Record<string, string> = {};
  if (envelope.intent && envelope.intent !== 'execute') headers[INTENT_HEADER] = envelope.intent;
  if (envelope.reverts) headers[REVERTS_HEADER] = envelope.reverts;
  if (envelope.requestedBy) {
    const { id, name, role } = envelope.requestedBy;
    headers[REQUESTED_BY_HEADER] = JSON.stringify({ id, name, role });
  }
  // encode() answers a view of a shared slab: copy it, the producer may hold it a while.
  return { key: commandKey(command), value: Buffer.from(encode('governance-command', command)), headers };
}

/** Reads the headers of a command message; an unknown intent is treated as none (execute). */
export function readEnvelope(headers: Readonly<Record<string, string>>): CommandEnvelope {
  const raw = headers[INTENT_HEADER];
  const intent = (COMMAND_INTENTS as readonly string[]).includes(raw ?? '') ? (raw as CommandIntent) : 'execute';
  const requester = readRequester(headers[REQUESTED_BY_HEADER]);
  return {
    intent,
    ...(headers[REVERTS_HEADER] ? { reverts: headers[REVERTS_HEADER] } : {}),
    ...(requester ? { requestedBy: requester } : {}),
  };
}

function readRequester(raw: string | undefined): Requester | null {
  if (!raw) return null;
  try {
    const r = JSON.parse(raw) as Partial<Requester>;
    if (typeof r.id === 'string' && typeof r.name === 'string' && typeof r.role === 'string') return { id: r.id, name: r.name, role: r.role };
  } catch {
    // not ours: no requester
  }
  return null;
}
