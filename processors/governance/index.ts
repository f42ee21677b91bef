/**
 * Governance: the executor that carries out commands through the connectors, the notifiers of the
 * `notify` action, and what other parts need to ask for actions (command messages and ids).
 */
import type { AppConfig } from '../../core/config.js';
import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { Connections } from '../../ingestors/runtime/connections.js';
import type { SigningKey } from './command-message.js';
import { GovernanceExecutor } from './executor.js';
import { RecipientAllowList } from './recipients.js';
import type { Notifier } from './notifier.js';
import { SmtpNotifier } from './smtp-notifier.js';
import { WebhookNotifier } from './webhook-notifier.js';

export { ActionCatalog, type ActionLookup } from './action-catalog.js';
export {
  commandKey, commandMessage, readEnvelope, signCommand, verifyCommand, INTENT_HEADER, REVERTS_HEADER, REQUESTED_BY_HEADER, SIGNATURE_HEADER,
  type CommandIntent, type CommandEnvelope, type Requester, type SigningKey,
} from './command-message.js';
export { governanceSigningKey } from './signing-key.js';
export { RecipientAllowList } from './recipients.js';
export { ProtectedAccounts } from './protected-accounts.js';
export { governanceCommandId, revertCommandId } from './command-id.js';
export { ACTION_RANKS, supersedes } from './conflicts.js';
export { GovernanceExecutor, type GovernanceExecutorOptions } from './executor.js';
export { NotifyDispatcher, type Notification, type Notifier } from './notifier.js';
export { SmtpNotifier } from './smtp-notifier.js';
export { WebhookNotifier } from './webhook-notifier.js';
export type { CommandState } from './state-store.js';

/** The executors' consumer group: `governance.groupId`, else `<topicPrefix>.governance`. */
export function governanceGroupId(config: Pick<AppConfig, 'governance' | 'kafka'>): string {
  return config.governance.groupId ?? `${config.kafka.topicPrefix}.governance`;
}

/** The notifiers the configuration sets up (none, SMTP, webhook, or both). */
export function notifiersFrom(notify: AppConfig['governance']['notify'], log: Logger): Notifier[] {
  const notifiers: Notifier[] = [];
  if (notify.smtp) notifiers.push(new SmtpNotifier(notify.smtp));
  if (notify.webhook) notifiers.push(new WebhookNotifier(notify.webhook, log));
  return notifiers;
}

/** An executor for this configuration: its connectors, retry and verify settings, notifiers and group. */
export function createGovernanceExecutor(
  config: AppConfig, bus: KafkaBus, connections: Connections, signingKey: SigningKey, log: Logger,
): GovernanceExecutor {
  const { governance } = config;
  const { notify } = governance;
  return new GovernanceExecutor({
    bus,
    connections,
    settings: governance,
    groupId: governanceGroupId(config),
    signingKey,
    protection: { accounts: governance.protectedAccounts, protectPrivileged: governance.protectPrivileged },
    notifiers: notifiersFrom(notify, log),
    notify: {
      allowed: new RecipientAllowList(notify.allowedRecipients),
      maxPerRecipientPerHour: notify.maxPerRecipientPerHour,
      ...(notify.defaultTo ? { defaultTo: notify.defaultTo } : {}),
    },
    log,
  });
}
