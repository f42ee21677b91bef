import { createHmac, timingSafeEqual } from 'node:crypto';
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
/** `v1=<base64url HMAC-SHA256>` over the canonical encoding of the command and the headers above. */
export const SIGNATURE_HEADER = 'aw-signature';

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

/** The key that signs commands: `governance.signingKey`, or the generated key file (see signing-key.ts). */
export type SigningKey = Buffer;

/**
 * The key of a command on `<prefix>.governance.command`: its target (provider, instance, type, id),
 * so that every message about one target (the command, its approval, retry, revert, and commands
 * that conflict with it) stays in order on one partition and reaches one executor.
 */
export function commandKey(command: Pick<GovernanceCommand, 'provider' | 'instance' | 'target'>): string {
  return `${command.provider}/${command.instance}/${command.target.type}/${command.target.id}`;
}

/**
 * What is signed: every field of the command (params sorted by name) and of the envelope, in a fixed
 * order, as a JSON array; so an approve header added to a signed command breaks its signature.
 */
function canonical(c: GovernanceCommand, envelope: Partial<CommandEnvelope>): string {
  return JSON.stringify([
    'appwarden.governance-command.v1',
    c.command_id, c.created_at, c.provider, c.instance, c.action,
    c.target.type, c.target.id, c.target.name ?? null,
    Object.keys(c.params).sort().map((k) => [k, c.params[k]]),
    c.policy_id ?? null, c.alert_id ?? null, c.requested_by, c.mode, c.requires_approval,
    envelope.intent ?? 'execute', envelope.reverts ?? null,
    envelope.requestedBy ? [envelope.requestedBy.id, envelope.requestedBy.name, envelope.requestedBy.role] : null,
  ]);
}

/**
 * The signature of a command and its envelope (intent, reverts, requestedBy with its role): the value of the
 * `aw-signature` header. The executor carries out only commands whose signature it can check with
 * the same key. `commandMessage` calls it; call it yourself only to build a message by other means.
 */
export function signCommand(command: GovernanceCommand, key: SigningKey, envelope: Partial<CommandEnvelope> = {}): string {
  return `v1=${createHmac('sha256', key).update(canonical(command, envelope)).digest('base64url')}`;
}

/** True when `signature` is this command's and envelope's signature under `key` (compared in constant time). */
export function verifyCommand(command: GovernanceCommand, envelope: CommandEnvelope, signature: string | undefined, key: SigningKey): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signCommand(command, key, envelope));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The signed Kafka message of a command, keyed by its target (see `commandKey`). */
export function commandMessage(command: GovernanceCommand, envelope: Partial<CommandEnvelope>, key: SigningKey): KafkaMessage {
  const headers: Record<string, string> = {};
  const intent = envelope.intent ?? 'execute';
  if (intent !== 'execute') headers[INTENT_HEADER] = intent;
  if (envelope.reverts) headers[REVERTS_HEADER] = envelope.reverts;
  if (envelope.requestedBy) {
    const { id, name, role } = envelope.requestedBy;
    headers[REQUESTED_BY_HEADER] = JSON.stringify({ id, name, role });
  }
  headers[SIGNATURE_HEADER] = signCommand(command, key, readEnvelope(headers));
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
