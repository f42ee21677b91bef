import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountEvent } from '../../schemas/types.js';
import { ProtectedAccounts } from './protected-accounts.js';

const privilege = (userId: string, attributes: Record<string, string>, deleted = false): AccountEvent => ({
  record_id: `priv-${userId}`, provider: 'aws', instance: 'main', observed_at: 0, kind: 'privilege',
  subject: { type: 'user', id: userId, email: null, name: null },
  status: null, status_raw: null, created_at: null, last_login_at: null, group: null,
  privilege: { id: 'arn:aws:iam::aws:policy/ReadOnlyAccess', name: 'ReadOnlyAccess', type: 'managed_policy' }, app: null, deleted, attributes, raw: '{}',
});
const suspend = (id: string) => ({ provider: 'aws' as const, instance: 'main', action: 'suspend_user' as const, target: { type: 'user', id, name: null }, params: {} });

test('a privilege its connector marks not admin-grade protects no one; one that becomes admin-grade does, until it is not', () => {
  const protectedAccounts = new ProtectedAccounts([], true);
  protectedAccounts.apply(privilege('reader', { admin_grade: 'false' }));
  assert.equal(protectedAccounts.reason(suspend('reader')), null);
  protectedAccounts.apply(privilege('reader', { admin_grade: 'true' }));
  assert.match(protectedAccounts.reason(suspend('reader')) ?? '', /holds an admin privilege/);
  protectedAccounts.apply(privilege('reader', { admin_grade: 'false' }));
  assert.equal(protectedAccounts.reason(suspend('reader')), null);
  // A privilege without the mark (the providers that list admin roles only) protects its holder.
  protectedAccounts.apply(privilege('admin', {}));
  assert.match(protectedAccounts.reason(suspend('admin')) ?? '', /holds an admin privilege/);
});
