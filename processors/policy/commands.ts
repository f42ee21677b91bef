import { stableId } from '../../schemas/event-id.js';
import type { AccountEvent, AuditEvent, FileEvent, GovernanceCommand, GovernanceTarget } from '../../schemas/types.js';
import type { CompiledAction, CompiledPolicy } from './compile.js';
import type { RecordContext } from './record-context.js';

/** A command and the target it counts against the safety limit (null for notify). */
export interface PlannedCommand {
  command: GovernanceCommand;
  safetyKey: string | null;
}

interface Resolved {
  target: GovernanceTarget;
  params: Record<string, string>;
}

/**
 * The governance commands a new alert asks for: one per action and target. Ids are deterministic
 * (alert, provider, instance, action, target id), so a replayed alert asks for the same commands and
 * the executor applies each once. A target without an id cannot be acted on and is left out.
 */
export function planCommands(
  policy: CompiledPolicy, ctx: RecordContext, alert: { alert_id: string; title: string }, at: number, mode: 'enforce' | 'dry_run',
): PlannedCommand[] {
  const alertId = alert.alert_id;
  const out: PlannedCommand[] = [];
  const record = ctx.record;
  for (const action of policy.actions) {
    for (const resolved of resolveTargets(action, policy, ctx)) {
      const params = { ...action.renderParams(ctx), ...resolved.params };
      if (action.action === 'notify') params.subject = alert.title;
      out.push({
        command: {
          command_id: stableId(alertId, record.provider, record.instance, action.action, resolved.target.id),
          created_at: at,
          provider: record.provider,
          instance: record.instance,
          action: action.action,
          target: resolved.target,
          params,
          policy_id: policy.id,
          alert_id: alertId,
          requested_by: `policy:${policy.id}`,
          mode,
          requires_approval: action.requires_approval,
        },
        safetyKey: action.action === 'notify' ? null : `${resolved.target.type}:${resolved.target.id}`,
      });
    }
  }
  return out;
}

function user(id: string | null, email: string | null, name: string | null): GovernanceTarget | null {
  const key = id ?? email;
  return key ? { type: 'user', id: key, name: email ?? name } : null;
}

function resolveTargets(action: CompiledAction, policy: CompiledPolicy, ctx: RecordContext): Resolved[] {
  const record = ctx.record;
  if (action.action === 'notify') {
    const to = action.to!;
    let address: string | null = to;
    let target: GovernanceTarget | null = { type: 'other', id: to, name: to };
    if (to === 'actor') {
      const actor = (record as AuditEvent).actor;
      address = actor.email;
      target = user(actor.id, actor.email, actor.name);
    } else if (to === 'file_owner') {
      const owner = (record as FileEvent).file.owner;
      address = owner?.email ?? null;
      target = owner ? user(owner.id, owner.email, owner.name) : null;
    } else if (to === 'subject') {
      const subject = (record as AccountEvent).subject;
      address = subject.email;
      target = user(subject.id, subject.email, subject.name);
    }
    return target && address ? [{ target, params: { to: address } }] : [];
  }

  switch (action.target) {
    case 'actor': {
      const actor = (record as AuditEvent).actor;
      const t = user(actor.id, actor.email, actor.name);
      return t ? [{ target: t, params: {} }] : [];
    }
    case 'file': {
      const file = (record as FileEvent).file;
      return [{ target: { type: 'file', id: file.id, name: file.name }, params: {} }];
    }
    case 'file_owner': {
      const owner = (record as FileEvent).file.owner;
      const t = owner ? user(owner.id, owner.email, owner.name) : null;
      return t ? [{ target: t, params: {} }] : [];
    }
    case 'app_grant': {
      const grant = record as AccountEvent;
      return grant.app ? [{ target: { type: 'app_grant', id: grant.app.id, name: grant.app.name }, params: { user_id: grant.subject.id } }] : [];
    }
    case 'subject': {
      const subject = (record as AccountEvent).subject;
      const t = user(subject.id, subject.email, subject.name);
      return t ? [{ target: t, params: {} }] : [];
    }
    default: {
      // target:<type>: every target of that type; app grants are revoked for the actor.
      const type = action.target.slice('target:'.length);
      const event = record as AuditEvent;
      return event.targets
        .filter((t) => t.type === type && (t.id ?? t.email) !== null)
        .map((t): Resolved => ({
          target: { type: t.type, id: (t.id ?? t.email)!, name: t.email ?? t.name },
          params: type === 'app' && event.actor.id ? { user_id: event.actor.id } : {},
        }));
    }
  }
}
