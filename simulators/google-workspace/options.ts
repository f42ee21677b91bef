import { generateKeyPairSync } from 'node:crypto';
import { type Logger, silentLogger } from '../../core/logger.js';
import { type Clock, systemClock } from '../common/clock.js';
import { OptionChecks } from '../common/option-checks.js';

/** Reports API applications the simulator generates activity for. */
export const SIMULATED_APPLICATIONS = ['login', 'admin', 'drive', 'token', 'saml', 'groups', 'mobile'] as const;
export type SimulatedApplication = (typeof SIMULATED_APPLICATIONS)[number];

/** How the simulator answers a request over quota: Google's three shapes. */
export type ThrottleStyle = 'rateLimitExceeded' | 'userRateLimitExceeded' | 'RESOURCE_EXHAUSTED';

/** The API families that have their own quota (Reports, Directory, Drive). */
export const API_FAMILIES = ['reports', 'directory', 'drive'] as const;
export type ApiFamily = (typeof API_FAMILIES)[number];

/** Every scope the simulator knows; by default the service account is authorized for all of them. */
export const KNOWN_SCOPES = [
  'https://www.googleapis.com/auth/admin.reports.audit.readonly',
  'https://www.googleapis.com/auth/admin.directory.user',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.user.security',
  'https://www.googleapis.com/auth/admin.directory.group',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member',
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
  'https://www.googleapis.com/auth/admin.directory.rolemanagement',
  'https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly',
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.readonly',
] as const;

/** How to start the Google Workspace simulator; every field has a default. */
export interface GoogleWorkspaceSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Same seed, same tenant: ids, names, files and activity. Default 1. */
  seed?: number | string;
  /** Email domain of the tenant. Default `example.com`. */
  domain?: string;
  /** Users, the first being the super admin the service account impersonates. Default 20. */
  users?: number;
  /** Groups. Default 4. */
  groups?: number;
  /** My Drive files per active user. Default 3. */
  filesPerUser?: number;
  /** Shared drives (each with a few files). Default 2. */
  sharedDrives?: number;
  /** Reports API activities per day of history, spread over the applications. Default 500. */
  activitiesPerDay?: number;
  /** Days of history, ending now. Default 1, at most 180 (Google's retention). */
  days?: number;
  /** The service account: its client email and the public key its JWTs are checked with (PEM). Default: a key pair made at start-up. */
  serviceAccount?: { clientEmail?: string; publicKey?: string };
  /** The admin the service account may impersonate for admin APIs. Default `admin@<domain>`. */
  adminEmail?: string;
  /** Scopes authorized for the service account's domain-wide delegation. Default: every known scope. */
  grantedScopes?: readonly string[];
  /** Per API family: requests per window. Default 1200 per 60 s. */
  rateLimit?: { limit?: number; windowMs?: number };
  /** Delay before an activity of an application becomes visible (ms), by application. Default 0 for all. */
  lagMs?: Partial<Record<string, number>>;
  /** Fraction of generated activities visible only `lateByMs` after their lag. Default 0. */
  lateFraction?: number;
  lateByMs?: number;
  /** Access token lifetime (Google: one hour). */
  tokenLifetimeMs?: number;
  log?: Logger;
  clock?: Clock;
}

export interface ResolvedGoogleWorkspaceOptions {
  port: number;
  host: string;
  seed: number | string;
  domain: string;
  users: number;
  groups: number;
  filesPerUser: number;
  sharedDrives: number;
  activitiesPerDay: number;
  days: number;
  clientEmail: string;
  publicKey: string;
  /** Only when the simulator made the key pair itself. */
  privateKey: string | null;
  adminEmail: string;
  grantedScopes: string[];
  rateLimit: { limit: number; windowMs: number };
  lagMs: Record<string, number>;
  lateFraction: number;
  lateByMs: number;
  tokenLifetimeMs: number;
  log: Logger;
  clock: Clock;
}

const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

/** Fills defaults and checks every option, reporting all problems in one `AW_CONFIG_INVALID`. */
export function resolveGoogleWorkspaceOptions(options: GoogleWorkspaceSimulatorOptions = {}): ResolvedGoogleWorkspaceOptions {
  const check = new OptionChecks('google workspace simulator');
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' && typeof seed !== 'string') check.problems.push('seed: must be a number or a string');
  const domain = check.string('domain', options.domain, 'example.com', DOMAIN).toLowerCase();
  const account = check.object('serviceAccount', options.serviceAccount);
  const rateLimit = check.object('rateLimit', options.rateLimit);
  const lag = check.object('lagMs', options.lagMs);
  let publicKey = typeof account.publicKey === 'string' ? account.publicKey : undefined;
  let privateKey: string | null = null;
  if (account.publicKey !== undefined && typeof account.publicKey !== 'string') check.problems.push('serviceAccount.publicKey: must be a PEM string');
  if (publicKey === undefined) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
  const lagMs: Record<string, number> = {};
  for (const [application, value] of Object.entries(lag)) lagMs[application] = check.number(`lagMs.${application}`, value, 0, { min: 0 });
  const granted = options.grantedScopes ?? KNOWN_SCOPES;
  if (!Array.isArray(granted) || granted.some((s) => typeof s !== 'string')) check.problems.push('grantedScopes: must be a list of scope URLs');
  const resolved: ResolvedGoogleWorkspaceOptions = {
    port: check.number('port', options.port, 0, { integer: true, min: 0, max: 65535 }),
    host: check.string('host', options.host, '127.0.0.1'),
    seed,
    domain,
    users: check.number('users', options.users, 20, { integer: true, min: 1, max: 1_000_000 }),
    groups: check.number('groups', options.groups, 4, { integer: true, min: 0, max: 10_000 }),
    filesPerUser: check.number('filesPerUser', options.filesPerUser, 3, { integer: true, min: 0, max: 10_000 }),
    sharedDrives: check.number('sharedDrives', options.sharedDrives, 2, { integer: true, min: 0, max: 1000 }),
    activitiesPerDay: check.number('activitiesPerDay', options.activitiesPerDay, 500, { min: 0, max: 10_000_000 }),
    days: check.number('days', options.days, 1, { min: 0, max: 180 }),
    clientEmail: check.string('serviceAccount.clientEmail', account.clientEmail, `appwarden@appwarden-sim.iam.gserviceaccount.com`, /^[^@\s]+@[^@\s]+$/),
    publicKey,
    privateKey,
    adminEmail: check.string('adminEmail', options.adminEmail, `admin@${domain}`, /^[^@\s]+@[^@\s]+$/).toLowerCase(),
    grantedScopes: Array.isArray(granted) ? [...granted] : [],
    rateLimit: {
      limit: check.number('rateLimit.limit', rateLimit.limit, 1200, { integer: true, min: 1 }),
      windowMs: check.number('rateLimit.windowMs', rateLimit.windowMs, 60_000, { integer: true, min: 1 }),
    },
    lagMs,
    lateFraction: check.number('lateFraction', options.lateFraction, 0, { min: 0, max: 1 }),
    lateByMs: check.number('lateByMs', options.lateByMs, 60_000, { integer: true, min: 0 }),
    tokenLifetimeMs: check.number('tokenLifetimeMs', options.tokenLifetimeMs, 3_600_000, { integer: true, min: 1000 }),
    log: options.log ?? silentLogger,
    clock: options.clock ?? systemClock,
  };
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') check.problems.push('clock: must have a now() method');
  if (!resolved.adminEmail.endsWith(`@${domain}`)) check.problems.push(`adminEmail: must be a user of ${domain}`);
  check.throwIfAny();
  return resolved;
}
