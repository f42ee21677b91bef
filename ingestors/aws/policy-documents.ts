/**
 * Reading IAM policy documents: whether a policy grants everything (admin-grade), who a trust
 * policy lets assume a role, and who a bucket policy lets in. Pure.
 */
import { arr, obj, str, type Json } from '../runtime/json-fields.js';

export const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** A statement field that may be one string or a list. */
function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return arr(value).filter((v): v is string => typeof v === 'string');
}

export function statements(document: unknown): Json[] {
  const doc = obj(document);
  const s = doc?.Statement;
  return (Array.isArray(s) ? s : [s]).map(obj).filter((x): x is Json => x !== null);
}

/** True when the document allows every action on every resource (`*` or `*:*`). */
export function grantsEverything(document: unknown): boolean {
  return statements(document).some((s) =>
    s.Effect === 'Allow' && list(s.Action).some((a) => a === '*' || a === '*:*') && list(s.Resource).includes('*'));
}

/** The principals of a statement: `*`, or `{ AWS, Service, Federated }` lists. */
export function principalsOf(statement: Json): { aws: string[]; service: string[]; federated: string[]; everyone: boolean } {
  const p = statement.Principal;
  if (p === '*') return { aws: [], service: [], federated: [], everyone: true };
  const o = obj(p);
  const aws = list(o?.AWS);
  return { aws, service: list(o?.Service), federated: list(o?.Federated), everyone: aws.includes('*') };
}

/** The account id an AWS principal names (`123456789012`, `arn:aws:iam::123456789012:root`...), or null. */
export function accountOf(principal: string): string | null {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1] ?? null;
}

/** Who may assume a role, from its trust policy; cross-account when an AWS principal is of another account (or anyone). */
export function trustOf(document: unknown, accountId: string): { principals: string[]; services: string[]; federated: string[]; crossAccount: boolean } {
  const out = { principals: [] as string[], services: [] as string[], federated: [] as string[], crossAccount: false };
  for (const s of statements(document)) {
    if (s.Effect !== 'Allow') continue;
    const p = principalsOf(s);
    if (p.everyone) {
      out.principals.push('*');
      out.crossAccount = true;
    }
    for (const a of p.aws.filter((x) => x !== '*')) {
      out.principals.push(a);
      const account = accountOf(a);
      if (account === null || account !== accountId) out.crossAccount = true;
    }
    out.services.push(...p.service);
    out.federated.push(...p.federated);
  }
  return out;
}

/** Whether the statement has conditions (which may narrow an open principal to a network or an organization). */
export function conditional(statement: Json): boolean {
  const c = obj(statement.Condition);
  return c !== null && Object.keys(c).length > 0;
}

export function describePolicyStatement(s: Json): string {
  return `${str(s.Sid) ?? 'statement'}: ${list(s.Action).join(',')}`;
}
