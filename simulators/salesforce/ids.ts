import { createHash } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * An 18-character Salesforce id: the object's 3-character key prefix, then 12 base-62 characters,
 * then the case-safe suffix (one character per 5, the bits of its upper-case letters).
 */
export function salesforceId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let body = '';
  for (let i = 0; i < 12; i++) body += BASE62[digest[i]! % 62];
  // Real ids start with a pod digit after the prefix; keep one so ids look like the real ones.
  const id15 = `${prefix}${body.slice(0, 12)}`;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i]!)) bits |= 1 << i;
    suffix += SUFFIX[bits];
  }
  return id15 + suffix;
}

/** Key prefixes of the objects the simulator serves. */
export const PREFIX = {
  User: '005', UserLogin: '06c', Profile: '00e', PermissionSet: '0PS', PermissionSetAssignment: '0Pa', Group: '00G', GroupMember: '011',
  OauthToken: '0CQ', ContentDocument: '069', ContentVersion: '068', ContentDocumentLink: '06A', ContentDistribution: '05D',
  LoginHistory: '0Ya', SetupAuditTrail: '0Ym', EventLogFile: '0AT', Organization: '00D', QueryLocator: '01g', LoginGeo: '04F',
} as const;
