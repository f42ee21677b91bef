import type { ConsumedRecord, KafkaBus } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { followTopic, type TopicFollower } from '../processors/policy/topic-follower.js';

/** A policy version a policy author asked for that would run in enforce mode: it waits for an admin. */
export interface PolicyProposal {
  id: string;
  /** The policy as sent: YAML or JSON text, or a JSON document. */
  input: unknown;
  proposed_by: string;
  proposed_at: string;
  /** The version it was proposed over (0: none), so an admin sees what it replaces. */
  over_version: number;
}

/**
 * Policies proposed in enforce mode, one per id, in the compacted `<prefix>.policy.proposals` topic
 * (a tombstone once approved or replaced). Nothing runs from here: an admin's approval puts the
 * proposal through the policy store like any deploy.
 */
export class PolicyProposals {
  private readonly proposals = new Map<string, PolicyProposal>();
  private follower: TopicFollower | null = null;

  constructor(private readonly options: { bus: Pick<KafkaBus, 'send' | 'consume' | 'fetchLag' | 'topics'>; log: Logger }) {}

  async start(): Promise<void> {
    if (this.follower) return;
    this.follower = await followTopic(this.options.bus, {
      topic: this.options.bus.topics.policyProposals, name: 'appwarden-policy-proposals', log: this.options.log, onRecord: (r) => this.onRecord(r),
    });
    await this.follower.caughtUp;
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
    this.follower = null;
  }

  get(id: string): PolicyProposal | null {
    return this.proposals.get(id) ?? null;
  }

  async propose(proposal: PolicyProposal): Promise<void> {
    await this.options.bus.send(this.options.bus.topics.policyProposals, [{ key: proposal.id, value: Buffer.from(JSON.stringify(proposal)) }]);
    this.proposals.set(proposal.id, proposal);
  }

  /** Forgets the proposal of `id` (approved, or superseded by an admin's own deploy). */
  async clear(id: string): Promise<void> {
    if (!this.proposals.has(id)) return;
    await this.options.bus.send(this.options.bus.topics.policyProposals, [{ key: id, value: null }]);
    this.proposals.delete(id);
  }

  private onRecord(record: ConsumedRecord): void {
    const id = record.key?.toString();
    if (!id) return;
    if (!record.value) {
      this.proposals.delete(id);
      return;
    }
    try {
      this.proposals.set(id, JSON.parse(record.value.toString()) as PolicyProposal);
    } catch (err) {
      this.options.log.warn({ err, key: id }, 'ignored an unreadable message on the policy proposals topic');
    }
  }
}
