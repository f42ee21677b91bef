import type { Notification, Notifier } from './notifier.js';
import { sendMail, type SmtpConnectionSettings } from './smtp-client.js';

export interface SmtpNotifierSettings extends SmtpConnectionSettings {
  /** The envelope sender and the From header. */
  from: string;
}

/** Delivers notifications as plain-text email through an SMTP relay. */
export class SmtpNotifier implements Notifier {
  readonly channel = 'email';
  readonly needsRecipient = true;

  constructor(private readonly settings: SmtpNotifierSettings) {}

  async send(notification: Notification, signal: AbortSignal): Promise<string> {
    const answer = await sendMail(this.settings, { from: this.settings.from, to: notification.to, data: mailText(this.settings.from, notification) }, signal);
    return `emailed ${notification.to.join(', ')} (${answer})`;
  }
}

/** An RFC 5322 message. The Message-ID comes from the command id, so a repeat can be recognised. */
export function mailText(from: string, n: Notification, now = new Date()): string {
  const plain = /^[\x20-\x7e\n]*$/.test(n.text) && n.text.split('\n').every((line) => line.length <= 900);
  const headers = [
    `From: ${from}`,
    `To: ${n.to.join(', ')}`,
    `Subject: ${encodeHeader(n.subject)}`,
    `Date: ${now.toUTCString()}`,
    `Message-ID: <${n.command_id}@appwarden>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${plain ? '7bit' : 'base64'}`,
    `X-Appwarden-Command: ${n.command_id}`,
  ];
  const body = plain ? n.text : Buffer.from(n.text, 'utf8').toString('base64').replace(/.{76}/g, '$&\n');
  return `${headers.join('\n')}\n\n${body}\n`;
}

/** RFC 2047 encoded-word for a header that is not plain ASCII. */
function encodeHeader(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}
