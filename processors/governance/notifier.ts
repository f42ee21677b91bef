import { AppwardenError } from '../../core/errors.js';
import type { ActionResult } from '../../ingestors/contract.js';
import type { GovernanceCommand, GovernanceTarget } from '../../schemas/types.js';
import { HourlyWindow } from './hourly-window.js';
import type { RecipientAllowList } from './recipients.js';

/** One notification, as every notifier receives it. */
export interface Notification {
  /** The notify command's id: receivers may use it to drop a repeat. */
  command_id: string;
  /** Email addresses; may be empty for a webhook. */
  to: string[];
  subject: string;
  text: string;
  provider: string;
  instance: string;
  target: GovernanceTarget;
  policy_id: string | null;
  alert_id: string | null;
  params: Record<string, string>;
}

/** A way to deliver notifications: an SMTP relay, a webhook... */
export interface Notifier {
  readonly channel: 'email' | 'webhook';
  /** Needs at least one recipient address (email) or not (webhook). */
  readonly needsRecipient: boolean;
  /** Where it delivers whatever the recipients (a webhook's URL), checked against the allow-list like an address. */
  readonly destination?: string;
  /** Delivers one notification; rejects with an `AppwardenError` (`AW_NOTIFY_FAILED`, retriable when trying again may help). */
  send(notification: Notification, signal: AbortSignal): Promise<string>;
}

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

export interface NotifyRules {
  /** Recipient of notify commands that name none. */
  defaultTo?: string;
  /** Who may be written to; anyone else is refused. */
  allowed: RecipientAllowList;
  /** Notifications per recipient (address or webhook URL) in any hour. */
  maxPerRecipientPerHour: number;
  /** Wall clock, for the rate limit. Default Date.now. */
  now?: () => number;
}

/**
 * The `notify` action: picks a notifier and a recipient. Params: `to` (addresses, comma-separated;
 * default the target when it is an email, else the configured `defaultTo`), `subject`, `message`,
 * `channel` (`email` or `webhook`; default email when there is a recipient and an SMTP notifier).
 */
export class NotifyDispatcher {
  private readonly defaultTo: string | undefined;
  private readonly sent = new HourlyWindow();
  private readonly now: () => number;

  constructor(private readonly notifiers: readonly Notifier[], private readonly rules: NotifyRules) {
    this.defaultTo = rules.defaultTo;
    this.now = rules.now ?? Date.now;
  }

  /** Why this command cannot be delivered here (no notifier for it), or null. */
  unsupportedReason(command: GovernanceCommand): string | null {
    if (this.notifiers.length === 0) return 'no notifier is configured (governance.notify.smtp or governance.notify.webhook)';
    const channel = command.params.channel;
    if (channel !== undefined && !this.notifiers.some((n) => n.channel === channel)) return `no ${channel} notifier is configured`;
    return null;
  }

  async send(command: GovernanceCommand, signal: AbortSignal): Promise<ActionResult> {
    const to = this.recipients(command);
    const notifier = this.pick(command.params.channel, to.length > 0);
    if (notifier.needsRecipient && to.length === 0) {
      throw new AppwardenError('AW_BAD_REQUEST', 'notify by email needs a recipient: params.to, a target that is an email, or governance.notify.defaultTo', {
        details: { field: 'params.to' },
      });
    }
    const recipients = [...to.map((a) => a.toLowerCase()), ...(notifier.destination ? [notifier.destination] : [])];
    this.rules.allowed.check(recipients);
    const now = this.now();
    // People are counted; a webhook is counted only when it is the one recipient (no address given).
    const counted = to.length > 0 ? recipients.slice(0, to.length) : recipients;
    const busy = counted.filter((r) => this.sent.count(r, now) >= this.rules.maxPerRecipientPerHour);
    if (busy.length > 0) {
      throw new AppwardenError('AW_BAD_REQUEST', `rate limit: ${busy.join(', ')} already got ${this.rules.maxPerRecipientPerHour} notifications in the last hour (governance.notify.maxPerRecipientPerHour)`, {
        details: { field: 'params.to', busy },
      });
    }
    for (const r of counted) this.sent.add(r, now);
    const notification: Notification = {
      command_id: command.command_id,
      to,
      subject: oneLine(command.params.subject ?? `Appwarden: ${command.target.name ?? command.target.id}`),
      text: command.params.message ?? defaultText(command),
      provider: command.provider,
      instance: command.instance,
      target: command.target,
      policy_id: command.policy_id,
      alert_id: command.alert_id,
      params: command.params,
    };
    const delivered = await notifier.send(notification, signal);
    return { status: 'applied', message: delivered };
  }

  private recipients(command: GovernanceCommand): string[] {
    const given = command.params.to?.split(',').map((a) => a.trim()).filter(Boolean);
    if (given && given.length > 0) {
      const bad = given.filter((a) => !EMAIL.test(a));
      if (bad.length > 0) throw new AppwardenError('AW_BAD_REQUEST', `params.to holds what is not an email address: ${bad.join(', ')}`, { details: { field: 'params.to' } });
      return given;
    }
    const fromTarget = [command.target.name, command.target.id].find((v): v is string => typeof v === 'string' && EMAIL.test(v));
    if (fromTarget) return [fromTarget];
    return this.defaultTo ? [this.defaultTo] : [];
  }

  private pick(channel: string | undefined, hasRecipient: boolean): Notifier {
    const byChannel = (c: string) => this.notifiers.find((n) => n.channel === c);
    const chosen = channel !== undefined
      ? byChannel(channel)
      : (hasRecipient ? byChannel('email') : undefined) ?? byChannel('webhook') ?? this.notifiers[0];
    if (!chosen) throw new AppwardenError('AW_BAD_REQUEST', channel ? `no ${channel} notifier is configured` : 'no notifier is configured', { details: { field: 'params.channel' } });
    return chosen;
  }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

function defaultText(command: GovernanceCommand): string {
  const lines = [
    `Appwarden notice about ${command.target.type} ${command.target.name ?? command.target.id} in ${command.provider}.${command.instance}.`,
  ];
  if (command.policy_id) lines.push(`Policy: ${command.policy_id}`);
  if (command.alert_id) lines.push(`Alert: ${command.alert_id}`);
  lines.push(`Reference: ${command.command_id}`);
  return lines.join('\n');
}
