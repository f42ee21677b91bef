import { AppwardenError } from '../../core/errors.js';

/**
 * Who the `notify` action may write to (`governance.notify.allowedRecipients`): email addresses,
 * domains (`corp.example` or `@corp.example`: every address there) and webhook URLs. Nothing is
 * allowed unless listed; matching ignores case.
 */
export class RecipientAllowList {
  private readonly emails = new Set<string>();
  private readonly domains = new Set<string>();
  private readonly urls = new Set<string>();

  constructor(readonly entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      if (/^https?:\/\//i.test(entry)) this.urls.add(normalUrl(entry));
      else if (entry.includes('@') && !entry.startsWith('@')) this.emails.add(entry.toLowerCase());
      else this.domains.add(entry.replace(/^@/, '').toLowerCase());
    }
  }

  /** True when the address or URL is listed, or (an address) its domain is. */
  allows(recipient: string): boolean {
    if (/^https?:\/\//i.test(recipient)) return this.urls.has(normalUrl(recipient));
    const address = recipient.trim().toLowerCase();
    if (this.emails.has(address)) return true;
    const at = address.lastIndexOf('@');
    return at > 0 && this.domains.has(address.slice(at + 1));
  }

  /** Throws AW_NOTIFY_REFUSED naming the recipients that are not allowed. */
  check(recipients: readonly string[]): void {
    const refused = recipients.filter((r) => !this.allows(r));
    if (refused.length > 0) {
      throw new AppwardenError('AW_BAD_REQUEST', `not on governance.notify.allowedRecipients: ${refused.join(', ')}`, {
        details: { field: 'params.to', refused },
      });
    }
  }
}

function normalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
