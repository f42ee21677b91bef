import type { Prng } from '../common/prng.js';

const DIGITS = '0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DRIVE_ID = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Ids shaped like Google's: 21-digit user ids, 15-character group ids, Drive ids, signed 64-bit unique qualifiers. */
export const googleIds = {
  user: (prng: Prng) => `1${prng.chars(20, DIGITS)}`,
  group: (prng: Prng) => `0${prng.chars(14, LOWER_ALNUM)}`,
  role: (prng: Prng) => `${prng.int(1, 10)}${prng.chars(16, DIGITS)}`,
  roleAssignment: (prng: Prng) => `${prng.int(1, 10)}${prng.chars(16, DIGITS)}`,
  customer: (prng: Prng) => `C0${prng.chars(7, LOWER_ALNUM)}`,
  file: (prng: Prng) => `1${prng.chars(32, DRIVE_ID)}`,
  sharedDrive: (prng: Prng) => `0A${prng.chars(13, DRIVE_ID)}Uk9PVA`,
  externalPermission: (prng: Prng) => `0${prng.chars(19, DIGITS)}`,
  domainPermission: (prng: Prng) => `${prng.chars(20, DIGITS)}k`,
  label: (prng: Prng) => prng.chars(26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
  /** Reports API `id.uniqueQualifier`: a signed 64-bit integer as text. */
  uniqueQualifier: (prng: Prng) => `${prng.chance(0.5) ? '-' : ''}${prng.int(1, 10)}${prng.chars(18, DIGITS)}`,
  etag: (prng: Prng) => `"${prng.chars(27, DRIVE_ID)}/${prng.chars(27, DRIVE_ID)}"`,
};
