import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertTimeZone, epochMillis, epochSeconds, isoTime, zoneOffsetMs } from './provider-time.js';

const utc = (s: string) => new Date(s).getTime();

describe('isoTime', () => {
  test('reads times with Z, with an offset, and with up to 9 fractional digits', () => {
    assert.equal(isoTime('2024-07-10T14:31:24Z'), utc('2024-07-10T14:31:24Z'));
    assert.equal(isoTime('2024-07-10T14:31:24.1234567Z'), utc('2024-07-10T14:31:24.123Z'));
    assert.equal(isoTime('2024-07-10T16:31:24+02:00'), utc('2024-07-10T14:31:24Z'));
    assert.equal(isoTime('2024-07-10T09:01:24-0530'), utc('2024-07-10T14:31:24Z'));
  });

  test('reads a time without a zone as UTC, or in the instance time zone when given', () => {
    assert.equal(isoTime('2024-07-10T14:31:24'), utc('2024-07-10T14:31:24Z'));
    assert.equal(isoTime('2024-07-10 14:31:24'), utc('2024-07-10T14:31:24Z'));
    // Summer in Paris is UTC+2, winter UTC+1; New York is UTC-4 in summer.
    assert.equal(isoTime('2024-07-10 14:31:24', { zone: 'Europe/Paris' }), utc('2024-07-10T12:31:24Z'));
    assert.equal(isoTime('2024-01-10 14:31:24', { zone: 'Europe/Paris' }), utc('2024-01-10T13:31:24Z'));
    assert.equal(isoTime('2024-07-10T10:31:24', { zone: 'America/New_York' }), utc('2024-07-10T14:31:24Z'));
    // A written zone wins over the instance's.
    assert.equal(isoTime('2024-07-10T14:31:24Z', { zone: 'Europe/Paris' }), utc('2024-07-10T14:31:24Z'));
  });

  test('a wall time across a daylight-saving change reads as one defined instant', () => {
    // 2024-03-31 02:30 does not exist in Paris (clocks go 02:00 → 03:00); 2024-10-27 02:30 happens twice.
    const skipped = isoTime('2024-03-31 02:30:00', { zone: 'Europe/Paris' });
    assert.equal(skipped, utc('2024-03-31T01:30:00Z'));
    assert.equal(isoTime('2024-10-27 02:30:00', { zone: 'Europe/Paris' }), utc('2024-10-27T00:30:00Z'));
  });

  test('refuses what is not a valid date-time', () => {
    for (const bad of ['', 'yesterday', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '2024-07-10', '2024-07-10T25:00:00Z', 12, null]) {
      assert.equal(isoTime(bad), null, String(bad));
    }
  });
});

describe('epoch times', () => {
  test('seconds and milliseconds, as numbers or decimal strings', () => {
    assert.equal(epochSeconds(1_720_621_884), 1_720_621_884_000);
    assert.equal(epochSeconds('1720621884.5'), 1_720_621_884_500);
    assert.equal(epochMillis('1720621884123'), 1_720_621_884_123);
    assert.equal(epochMillis(1_720_621_884_123), 1_720_621_884_123);
    assert.equal(epochSeconds('soon'), null);
    assert.equal(epochMillis(NaN), null);
  });
});

describe('time zones', () => {
  test('the offset of a zone at an instant, and a clear error for an unknown zone', () => {
    assert.equal(zoneOffsetMs(utc('2024-07-10T12:00:00Z'), 'Europe/Paris'), 2 * 3_600_000);
    assert.equal(zoneOffsetMs(utc('2024-07-10T12:00:00Z'), 'UTC'), 0);
    assert.throws(() => assertTimeZone('Mars/Olympus'), RangeError);
  });
});
