import { type Logger, silentLogger } from '../../core/logger.js';
import { type Clock, systemClock } from '../common/clock.js';
import { OptionChecks } from '../common/option-checks.js';
import { createPrng } from '../common/prng.js';

/** Permissions the simulator can refuse (`deny`), by their Salesforce API names. */
export const SALESFORCE_PERMISSIONS = ['ManageUsers', 'ViewSetup', 'ViewEventLogFiles', 'ViewAllData', 'ViewRealTimeEventMonitoringData', 'ResetPasswords'] as const;
export type SalesforcePermission = (typeof SALESFORCE_PERMISSIONS)[number];

/** How to start the Salesforce simulator; every field has a default. */
export interface SalesforceSimulatorOptions {
  port?: number;
  host?: string;
  /** Same seed, same org: ids, names, history. Default 1. */
  seed?: number | string;
  /** The connected app's consumer key and secret (client credentials); defaults derived from the seed. */
  clientId?: string;
  clientSecret?: string;
  /** PEM public key that verifies JWT bearer assertions; default: a key pair made at start (`jwtPrivateKey`). */
  jwtPublicKey?: string;
  users?: number;
  groups?: number;
  files?: number;
  loginsPerDay?: number;
  setupPerDay?: number;
  activityPerDay?: number;
  /** Days of history, ending now. Default 2. */
  days?: number;
  domain?: string;
  /** The org's daily API request limit (Sforce-Limit-Info). Default 100000. */
  dailyApiLimit?: number;
  /** Largest query page (rows before `nextRecordsUrl`); the client's batchSize may ask for fewer. Default 2000. */
  batchSize?: number;
  /** Hourly log files are created this long after their hour ends: a value per hour in [min, max]. Default 3 h to 6 h. */
  hourlyDelayMinMs?: number;
  hourlyDelayMaxMs?: number;
  /** Daily log files are created this long after their day ends. Default 3 h. */
  dailyDelayMs?: number;
  /** Permissions the connected app's user lacks. */
  denyPermissions?: readonly string[];
  log?: Logger;
  clock?: Clock;
}

export interface ResolvedSalesforceOptions extends Required<Omit<SalesforceSimulatorOptions, 'jwtPublicKey' | 'denyPermissions' | 'log' | 'clock'>> {
  jwtPublicKey: string | null;
  denyPermissions: SalesforcePermission[];
  log: Logger;
  clock: Clock;
}

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

export function resolveSalesforceOptions(options: SalesforceSimulatorOptions = {}): ResolvedSalesforceOptions {
  const check = new OptionChecks('salesforce simulator');
  const seed = options.seed ?? 1;
  const denied = options.denyPermissions ?? [];
  if (denied.some((p) => !(SALESFORCE_PERMISSIONS as readonly string[]).includes(p))) check.problems.push(`denyPermissions: must be a list of ${SALESFORCE_PERMISSIONS.join(', ')}`);
  const resolved: ResolvedSalesforceOptions = {
    port: check.number('port', options.port, 0, { integer: true, min: 0, max: 65535 }),
    host: check.string('host', options.host, '127.0.0.1'),
    seed,
    // Consumer keys are 85 characters starting with 3MVG.
    clientId: check.string('clientId', options.clientId, `3MVG9${createPrng(`${String(seed)}:client`).chars(80, KEY_CHARS)}`, /^\S+$/),
    clientSecret: check.string('clientSecret', options.clientSecret, createPrng(`${String(seed)}:secret`).chars(64, '0123456789ABCDEF'), /^\S+$/),
    jwtPublicKey: options.jwtPublicKey ?? null,
    users: check.number('users', options.users, 40, { integer: true, min: 2, max: 100_000 }),
    groups: check.number('groups', options.groups, 5, { integer: true, min: 0, max: 1000 }),
    files: check.number('files', options.files, 30, { integer: true, min: 0, max: 100_000 }),
    loginsPerDay: check.number('loginsPerDay', options.loginsPerDay, 400, { min: 0 }),
    setupPerDay: check.number('setupPerDay', options.setupPerDay, 40, { min: 0 }),
    activityPerDay: check.number('activityPerDay', options.activityPerDay, 1500, { min: 0 }),
    days: check.number('days', options.days, 2, { min: 0, max: 30 }),
    domain: check.string('domain', options.domain, 'acme.example', /^[a-z0-9.-]+\.[a-z]+$/i),
    dailyApiLimit: check.number('dailyApiLimit', options.dailyApiLimit, 100_000, { integer: true, min: 1 }),
    batchSize: check.number('batchSize', options.batchSize, 2000, { integer: true, min: 1, max: 2000 }),
    hourlyDelayMinMs: check.number('hourlyDelayMinMs', options.hourlyDelayMinMs, 3 * 3_600_000, { integer: true, min: 0 }),
    hourlyDelayMaxMs: check.number('hourlyDelayMaxMs', options.hourlyDelayMaxMs, 6 * 3_600_000, { integer: true, min: 0 }),
    dailyDelayMs: check.number('dailyDelayMs', options.dailyDelayMs, 3 * 3_600_000, { integer: true, min: 0 }),
    denyPermissions: denied as SalesforcePermission[],
    log: options.log ?? silentLogger,
    clock: options.clock ?? systemClock,
  };
  if (resolved.hourlyDelayMaxMs < resolved.hourlyDelayMinMs) check.problems.push('hourlyDelayMaxMs: must be at least hourlyDelayMinMs');
  check.throwIfAny();
  return resolved;
}
