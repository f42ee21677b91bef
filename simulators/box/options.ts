import { generateKeyPairSync } from 'node:crypto';
import { type Logger, silentLogger } from '../../core/logger.js';
import { type Clock, systemClock } from '../common/clock.js';
import { OptionChecks } from '../common/option-checks.js';
import { createPrng } from '../common/prng.js';

/** How to start the Box simulator; every field has a default. */
export interface BoxSimulatorOptions {
  port?: number;
  host?: string;
  /** Same seed, same enterprise: ids, names, events and their times. Default 1. */
  seed?: number | string;
  /** Managed users (the first is the primary admin, the second a co-admin). Default 20. */
  users?: number;
  groups?: number;
  /** Folders each user owns at the root of their tree, each with a subfolder. Default 2. */
  foldersPerUser?: number;
  /** Files in each folder. Default 2. */
  filesPerFolder?: number;
  /** Enterprise events per day of history (and of live activity). Default 1000. */
  eventsPerDay?: number;
  /** Days of history ending now. Default 2. */
  days?: number;
  /** Keep generating events as the clock moves on. Default false. */
  live?: boolean;
  /** The users' email domain. Default `example.com`. */
  domain?: string;
  /** The app's client id and secret; default derived from the seed. */
  clientId?: string;
  clientSecret?: string;
  enterpriseId?: string;
  /**
   * The app's public key (PEM) and its id, for JWT auth. Default: the simulator makes a key pair and
   * gives the private half, encrypted with `passphrase`, to whoever starts it.
   */
  publicKey?: string;
  publicKeyId?: string;
  /** Requests per window across the API before 429. Default 1000 per 60 s (Box's per-user minute). */
  rateLimit?: { limit?: number; windowMs?: number };
  /** The `retry-after` (seconds) of a 429. Default 1. */
  retryAfterSeconds?: number;
  /** Fraction of admin_logs_streaming pages that repeat one of their events (Box delivers at least once). Default 0.3. */
  streamingRepeatFraction?: number;
  /** Access token lifetime. Default 3600 s. */
  tokenLifetimeMs?: number;
  log?: Logger;
  clock?: Clock;
}

export interface ResolvedBoxOptions extends Required<Omit<BoxSimulatorOptions, 'publicKey' | 'rateLimit' | 'log' | 'clock'>> {
  publicKey: string;
  /** The private key when the simulator made the pair (encrypted with `passphrase`), else null. */
  privateKey: string | null;
  passphrase: string | null;
  rateLimit: { limit: number; windowMs: number };
  log: Logger;
  clock: Clock;
}

const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export function resolveBoxOptions(input: BoxSimulatorOptions): ResolvedBoxOptions {
  const c = new OptionChecks('box simulator');
  const seed = input.seed ?? 1;
  const prng = createPrng(`${seed}:credentials`);
  const rate = c.object('rateLimit', input.rateLimit);
  let publicKey = input.publicKey ?? null;
  let privateKey: string | null = null;
  let passphrase: string | null = null;
  if (publicKey === null) {
    passphrase = prng.hex(24);
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
    });
    publicKey = pair.publicKey;
    privateKey = pair.privateKey;
  }
  const resolved: ResolvedBoxOptions = {
    port: c.number('port', input.port, 0, { integer: true, min: 0, max: 65535 }),
    host: c.string('host', input.host, '127.0.0.1'),
    seed,
    users: c.number('users', input.users, 20, { integer: true, min: 3, max: 100_000 }),
    groups: c.number('groups', input.groups, 4, { integer: true, min: 0 }),
    foldersPerUser: c.number('foldersPerUser', input.foldersPerUser, 2, { integer: true, min: 0 }),
    filesPerFolder: c.number('filesPerFolder', input.filesPerFolder, 2, { integer: true, min: 0 }),
    eventsPerDay: c.number('eventsPerDay', input.eventsPerDay, 1000, { min: 0 }),
    days: c.number('days', input.days, 2, { min: 0, max: 365 }),
    live: c.boolean('live', input.live, false),
    domain: c.string('domain', input.domain, 'example.com', DOMAIN),
    clientId: c.string('clientId', input.clientId, prng.chars(32, 'abcdefghijklmnopqrstuvwxyz0123456789')),
    clientSecret: c.string('clientSecret', input.clientSecret, prng.chars(32, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')),
    enterpriseId: c.string('enterpriseId', input.enterpriseId, String(prng.int(100_000_000, 999_999_999)), /^[0-9]+$/),
    publicKey,
    publicKeyId: c.string('publicKeyId', input.publicKeyId, prng.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789')),
    privateKey,
    passphrase,
    rateLimit: { limit: c.number('rateLimit.limit', rate.limit, 1000, { integer: true, min: 1 }), windowMs: c.number('rateLimit.windowMs', rate.windowMs, 60_000, { min: 1 }) },
    retryAfterSeconds: c.number('retryAfterSeconds', input.retryAfterSeconds, 1, { integer: true, min: 0 }),
    streamingRepeatFraction: c.number('streamingRepeatFraction', input.streamingRepeatFraction, 0.3, { min: 0, max: 1 }),
    tokenLifetimeMs: c.number('tokenLifetimeMs', input.tokenLifetimeMs, 3_600_000, { min: 1000 }),
    log: input.log ?? silentLogger,
    clock: input.clock ?? systemClock,
  };
  c.throwIfAny();
  return resolved;
}
