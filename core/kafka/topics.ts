/** The names of Appwarden's topics under one prefix. */
export interface TopicNames {
  audit: string;
  account: string;
  file: string;
  alert: string;
  governanceCommand: string;
  governanceResult: string;
  deadLetter: string;
  /** Compacted: the latest cursor of each connector scan, keyed by scan. */
  cursors: string;
  /** Compacted: the latest state of each governance command, keyed by command id. */
  governanceState: string;
  /** Compacted: the policy processors' windows, histories and open alerts, one key per piece of state. */
  policyState: string;
  /** Compacted: policies deployed through the policy store, current (`id`) and every version (`id@version`). */
  policies: string;
  /** Records matched by a policy that groups by something other than the user, keyed by policy and group. */
  policyRegroup: string;
  /** Compacted: policies proposed in enforce mode by a policy author, waiting for an admin, keyed by policy id. */
  policyProposals: string;
  /** Compacted: the API keys (hashed), keyed by key id. */
  apiKeys: string;
  /** Compacted: connector instances added or changed at run time (credentials as references or encrypted), keyed by `provider/instance`. */
  connections: string;
  /** Append-only: every change made through the API or the CLI (who, role, when, from where, what), JSON. */
  auditTrail: string;
  /**
   * Compacted, one partition per data-topic partition: which connector worker runs each instance (keyed by
   * `provider/instance`). Its partitions are what the connector workers' group shares out (`connector-owners.ts`).
   */
  connectorOwners: string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    audit: `${prefix}.audit`,
    account: `${prefix}.account`,
    file: `${prefix}.file`,
    alert: `${prefix}.alert`,
    governanceCommand: `${prefix}.governance.command`,
    governanceResult: `${prefix}.governance.result`,
    deadLetter: `${prefix}.deadletter`,
    cursors: `${prefix}.cursors`,
    governanceState: `${prefix}.governance.state`,
    policyState: `${prefix}.policy.state`,
    policies: `${prefix}.policies`,
    policyRegroup: `${prefix}.policy.regroup`,
    policyProposals: `${prefix}.policy.proposals`,
    apiKeys: `${prefix}.api_keys`,
    connections: `${prefix}.connections`,
    auditTrail: `${prefix}.audit_trail`,
    connectorOwners: `${prefix}.connector.owners`,
  };
}

/** Topics that hold the latest value per key: one partition, compacted, read whole at start. */
export const COMPACTED_ROLES: ReadonlySet<keyof TopicNames> = new Set<keyof TopicNames>(['cursors', 'governanceState', 'policyState', 'policies', 'policyProposals', 'apiKeys', 'connections']);
/** Compacted topics with as many partitions as the data topics: their partitions are shared out by a group. */
export const COMPACTED_PARTITIONED_ROLES: ReadonlySet<keyof TopicNames> = new Set<keyof TopicNames>(['connectorOwners']);
