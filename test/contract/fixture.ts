import type { ActionTarget, ActionVerb, ProviderId } from '../../ingestors/contract.js';

/** One governance action to carry out through the executor, and how the simulator shows its effect. */
export interface ActionCase {
  target: ActionTarget;
  params?: Record<string, string>;
  /** True once the simulator's state shows the action's effect. */
  applied(): boolean;
  /** For an action with an inverse: true once the simulator's state is back as it was before the action. */
  restored?(): boolean;
}

export type PoisonKind = 'oversized' | 'wrong_type' | 'unknown_field';

/** The change a poison kind makes to a well-formed record (but `wrong_type`, which the fixture knows); the field added comes last. */
export function poisoned(record: Record<string, unknown>, kind: Exclude<PoisonKind, 'wrong_type'>, marker: string): Record<string, unknown> {
  if (kind === 'unknown_field') return { ...record, appwardenUnknownField: { marker, nested: [1, 'two', { three: true }] } };
  return { ...record, appwardenPadding: `${marker} ${'x'.repeat(1_200_000)}` };
}

/** A simulated tenant of the provider, driven by the contract cases. */
export interface ContractTenant {
  /** The provider's own instance settings (URLs, credentials) that point a connector at this tenant. */
  settings(): Record<string, unknown>;
  /** The raw audit records a complete read returns now; the connector's own normalizer gives their event ids. */
  expectedActivities(): unknown[];
  /** How many users the account scan reports. */
  users(): number;
  /** Adds a well-formed audit record that happened `agoMs` ago and is readable from now on; answers it raw. */
  addActivity(agoMs: number): unknown;
  /** Adds a record the connector cannot normalize: its raw text holds `marker`, and the reason names `field`. */
  addMalformed(): { marker: string; field: string };
  /**
   * Optional: adds a poison record served as is, built from a well-formed one: `oversized` (a large field
   * of its own, over the Kafka message limit once normalized), `wrong_type` (a field that must be a string
   * is an object or a number; `field` names it) or `unknown_field` (a field the provider does not document).
   */
  addPoison?(kind: PoisonKind, marker: string): { raw: unknown; field?: string };
  /** The next `count` requests get the provider's documented throttle answer (status, headers, body). */
  throttle(count: number): void;
  /** How many requests the simulator answered with its throttle answer so far. */
  throttled(): number;
  /**
   * From now on the simulator refuses `permission` (the name a stream of the connector declares) as the
   * provider refuses a missing permission (403 and its documented body), until `allow`.
   */
  deny(permission: string): void;
  allow(permission: string): void;
  /** Deletes a user of the tenant as the provider does (gone from its listings); answers its id as the account scan reports it (`subject.id`). */
  removeUser(): string;
  /** A fresh case (a target no other case uses) for a governance verb, or undefined when the fixture has none. */
  action(verb: ActionVerb): ActionCase | undefined;
  close(): Promise<void>;
}

/** What a provider supplies to the contract suite: how to start a simulated tenant of it. */
export interface ContractFixture {
  provider: ProviderId;
  /** Starts a small simulated tenant; a different seed is a different tenant. */
  start(seed: string): Promise<ContractTenant>;
}
