import { recordId } from './event-id.js';
import type { AccountEvent, Subject, TimestampMillis } from './types.js';
import type { Provider } from './vocabulary.js';

/**
 * An AccountEvent with every optional part empty, then `rest`: the one way connectors build them,
 * with the record id derived from provider, instance, kind and the provider's ids.
 */
export function buildAccountEvent(
  provider: Provider,
  ctx: { instance: string; observedAt: TimestampMillis },
  kind: AccountEvent['kind'],
  ids: readonly string[],
  subject: Subject,
  rest: Partial<AccountEvent> & { raw: string },
): AccountEvent {
  return {
    record_id: recordId(provider, ctx.instance, kind, ...ids),
    provider,
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    kind,
    subject,
    status: null,
    status_raw: null,
    created_at: null,
    last_login_at: null,
    group: null,
    privilege: null,
    app: null,
    deleted: false,
    attributes: {},
    ...rest,
  };
}
