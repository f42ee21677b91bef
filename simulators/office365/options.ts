import { type Logger, silentLogger } from '../../core/logger.js';
import { type Clock, systemClock } from '../common/clock.js';
import { OptionChecks } from '../common/option-checks.js';
import { createPrng } from '../common/prng.js';

/** Every application permission the simulated app registration can be granted, per API. */
export const ALL_GRAPH_PERMISSIONS = [
  'User.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All', 'RoleManagement.ReadWrite.Directory', 'Application.Read.All',
  'DelegatedPermissionGrant.ReadWrite.All', 'AuditLog.Read.All', 'Organization.Read.All', 'Files.ReadWrite.All', 'Sites.ReadWrite.All',
  'User.RevokeSessions.All', 'AppRoleAssignment.ReadWrite.All',
] as const;
export const ALL_MANAGEMENT_PERMISSIONS = ['ActivityFeed.Read', 'ActivityFeed.ReadDlp'] as const;

/** How to start the Office 365 simulator; every field has a default. */
export interface Office365SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Same seed, same tenant: ids, names, files, audit records and their relative times. Default 1. */
  seed?: number | string;
  /** The directory (tenant) id; default derived from the seed. */
  tenantId?: string;
  /** The app registration's client id and secret the token endpoint accepts; default derived from the seed. */
  clientId?: string;
  clientSecret?: string;
  /** The tenant's primary domain (users' addresses). Default `contoso.example`. */
  domain?: string;
  /** Users, the first always `alice@<domain>` (Global Administrator). Default 20. */
  users?: number;
  /** Groups. Default 5. */
  groups?: number;
  /** SharePoint sites, each with one document library. Default 2. */
  sites?: number;
  /** Items (files and folders) in each drive. Default 6. */
  itemsPerDrive?: number;
  /** Audit records generated per day of history. Default 500. */
  eventsPerDay?: number;
  /** Days of audit history ending now. Default 1, at most 7 (what the API lists). */
  days?: number;
  /** Records are gathered into one blob per content type per interval. Default 10 minutes. */
  blobIntervalMs?: number;
  /** A blob becomes available this long after its interval ends. Default 0. */
  contentDelayMs?: number;
  /** Fraction of blobs listable only `lateByMs` after their `contentCreated` (availability delays). Default 0. */
  lateFraction?: number;
  /** Default 30 minutes. */
  lateByMs?: number;
  /** Fraction of records that a second blob repeats (the API may list a record twice). Default 0.02. */
  duplicateFraction?: number;
  /** A blob expires this long after its `contentCreated`. Default 7 days. */
  contentRetentionMs?: number;
  /** Blob descriptors per `subscriptions/content` page (`NextPageUri` beyond). Default 100. */
  contentPageSize?: number;
  /** Largest `$top` of Graph lists, and their default page size. Default 100. */
  graphPageSize?: number;
  /** Items per delta page. Default 200. */
  deltaPageSize?: number;
  /** Lifetime of issued access tokens. Default 3600 s. */
  tokenLifetimeMs?: number;
  /** Application permissions the app registration holds (the tokens' `roles`). Default all of them. */
  grantedPermissions?: { graph?: readonly string[]; management?: readonly string[] };
  /** Requests per window and tenant, per API, before 429 (Graph) or 403 AF429 (Management). Default 2000 per 60 s. */
  rateLimit?: { limit?: number; windowMs?: number };
  log?: Logger;
  /** The simulator's "now". Default the real clock. */
  clock?: Clock;
}

export interface ResolvedOffice365Options {
  port: number;
  host: string;
  seed: number | string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  domain: string;
  users: number;
  groups: number;
  sites: number;
  itemsPerDrive: number;
  eventsPerDay: number;
  days: number;
  blobIntervalMs: number;
  contentDelayMs: number;
  lateFraction: number;
  lateByMs: number;
  duplicateFraction: number;
  contentRetentionMs: number;
  contentPageSize: number;
  graphPageSize: number;
  deltaPageSize: number;
  tokenLifetimeMs: number;
  grantedPermissions: { graph: readonly string[]; management: readonly string[] };
  rateLimit: { limit: number; windowMs: number };
  log: Logger;
  clock: Clock;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function guidFrom(seed: string): string {
  return createPrng(seed).uuid();
}

function permissionList(check: OptionChecks, path: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    check.problems.push(`${path}: must be a list of permission names`);
    return fallback;
  }
  return value as string[];
}

/** Fills defaults and checks every option, reporting all problems in one `AW_CONFIG_INVALID`. */
export function resolveOffice365Options(options: Office365SimulatorOptions = {}): ResolvedOffice365Options {
  const check = new OptionChecks('office365 simulator');
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' && typeof seed !== 'string') check.problems.push('seed: must be a number or a string');
  const s = String(seed);
  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const granted = check.object('grantedPermissions', options.grantedPermissions);
  const rateLimit = check.object('rateLimit', options.rateLimit);
  const resolved: ResolvedOffice365Options = {
    port: check.number('port', options.port, 0, { integer: true, min: 0, max: 65535 }),
    host: check.string('host', options.host, '127.0.0.1'),
    seed,
    tenantId: check.string('tenantId', options.tenantId, guidFrom(`${s}:tenant`), GUID),
    clientId: check.string('clientId', options.clientId, guidFrom(`${s}:client`), GUID),
    // Entra client secrets are 40 characters with a `~` in them.
    clientSecret: check.string('clientSecret', options.clientSecret, `${createPrng(`${s}:secret`).chars(3, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}8Q~${createPrng(`${s}:secret2`).chars(34, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-')}`, /^\S+$/),
    domain: check.string('domain', options.domain, 'contoso.example', /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i),
    users: check.number('users', options.users, 20, { integer: true, min: 1, max: 100_000 }),
    groups: check.number('groups', options.groups, 5, { integer: true, min: 0, max: 10_000 }),
    sites: check.number('sites', options.sites, 2, { integer: true, min: 0, max: 1000 }),
    itemsPerDrive: check.number('itemsPerDrive', options.itemsPerDrive, 6, { integer: true, min: 0, max: 10_000 }),
    eventsPerDay: check.number('eventsPerDay', options.eventsPerDay, 500, { min: 0, max: 10_000_000 }),
    days: check.number('days', options.days, 1, { min: 0, max: 7 }),
    blobIntervalMs: check.number('blobIntervalMs', options.blobIntervalMs, 10 * 60_000, { integer: true, min: 1000 }),
    contentDelayMs: check.number('contentDelayMs', options.contentDelayMs, 0, { integer: true, min: 0 }),
    lateFraction: check.number('lateFraction', options.lateFraction, 0, { min: 0, max: 1 }),
    lateByMs: check.number('lateByMs', options.lateByMs, 30 * 60_000, { integer: true, min: 0 }),
    duplicateFraction: check.number('duplicateFraction', options.duplicateFraction, 0.02, { min: 0, max: 1 }),
    contentRetentionMs: check.number('contentRetentionMs', options.contentRetentionMs, 7 * DAY, { integer: true, min: 1 }),
    contentPageSize: check.number('contentPageSize', options.contentPageSize, 100, { integer: true, min: 1 }),
    graphPageSize: check.number('graphPageSize', options.graphPageSize, 100, { integer: true, min: 1, max: 999 }),
    deltaPageSize: check.number('deltaPageSize', options.deltaPageSize, 200, { integer: true, min: 1 }),
    tokenLifetimeMs: check.number('tokenLifetimeMs', options.tokenLifetimeMs, HOUR, { integer: true, min: 1000 }),
    grantedPermissions: {
      graph: permissionList(check, 'grantedPermissions.graph', granted.graph, ALL_GRAPH_PERMISSIONS),
      management: permissionList(check, 'grantedPermissions.management', granted.management, ALL_MANAGEMENT_PERMISSIONS),
    },
    rateLimit: {
      limit: check.number('rateLimit.limit', rateLimit.limit, 2000, { integer: true, min: 1 }),
      windowMs: check.number('rateLimit.windowMs', rateLimit.windowMs, 60_000, { integer: true, min: 1 }),
    },
    log: options.log ?? silentLogger,
    clock: options.clock ?? systemClock,
  };
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') check.problems.push('clock: must have a now() method');
  check.throwIfAny();
  return resolved;
}
